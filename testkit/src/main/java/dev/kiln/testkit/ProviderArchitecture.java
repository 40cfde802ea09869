package dev.kiln.testkit;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The provider template as ArchUnit rules, for a provider module to check against itself:
 *
 * <ul>
 *   <li>one {@link CloudProvider}, the public final {@code XxxProvider} in the module's root package: no
 *       second implementation behind it to forward to;</li>
 *   <li>every class lives in the root package, in {@code <root>.internal}, or in a package added with
 *       {@link #withApiPackage(String)}; public signatures of the API never name an internal type;</li>
 *   <li>the module depends on core's exported packages only (read from core's module descriptor): never on
 *       core's internal packages, another provider, the testkit or the CLI;</li>
 *   <li>time is read and waited for only through the run's {@code TimeSource};</li>
 *   <li>the module's descriptor, when it has one, exports exactly the API packages; the module registers its
 *       {@link ProviderFactory}, an internal class, in {@code META-INF/services} and in {@code provides}.</li>
 * </ul>
 *
 * <pre>{@code
 * class AwsArchitectureTest {
 *     @Test
 *     void the_module_keeps_the_provider_template() {
 *         ProviderArchitecture.of(AwsProvider.class).check();
 *     }
 * }
 * }</pre>
 *
 * <p>The module's main classes are read from where {@code provider} was loaded (its {@code target/classes} or
 * jar), so the rules see neither its tests nor anything else on the class or module path. Needs ArchUnit
 * ({@code com.tngtech.archunit:archunit}) on the test class path; the testkit does not bring it.
 */
public final class ProviderArchitecture {

    private static final String SERVICES = "META-INF/services/" + ProviderFactory.class.getName();

    private final Class<? extends CloudProvider> provider;
    private final String root;
    private final Set<String> apiPackages;

    private ProviderArchitecture(Class<? extends CloudProvider> provider, Set<String> apiPackages) {
        this.provider = provider;
        this.root = provider.getPackageName();
        this.apiPackages = Set.copyOf(apiPackages);
    }

    /** The rules for the module of {@code provider}, whose package is the module's root and only API package. */
    public static ProviderArchitecture of(Class<? extends CloudProvider> provider) {
        if (provider.getPackageName().isEmpty()) {
            throw new IllegalArgumentException(provider.getName() + " is in the unnamed package; a provider's"
                    + " package is its module's root, e.g. dev.kiln.aws");
        }
        return new ProviderArchitecture(provider, Set.of(provider.getPackageName()));
    }

    /**
     * The same rules with {@code packageName} (under the root, not {@code internal}) as API too, e.g. an
     * {@code spi} package of the provider's own.
     */
    public ProviderArchitecture withApiPackage(String packageName) {
        if (packageName == null || !packageName.startsWith(root + ".") || packageName.startsWith(internal())) {
            throw new IllegalArgumentException("an API package of " + provider.getSimpleName() + " lies under " + root
                    + " and outside " + internal() + "; got '" + packageName + "'");
        }
        Set<String> more = new LinkedHashSet<>(apiPackages);
        more.add(packageName);
        return new ProviderArchitecture(provider, more);
    }

    /**
     * Checks every rule.
     *
     * @throws AssertionError listing, rule by rule, every violation
     */
    public void check() {
        JavaClasses module = importModule();
        List<String> reports = new ArrayList<>();
        for (ArchRule rule : rules()) {
            EvaluationResult result = rule.evaluate(module);
            if (result.hasViolation()) {
                reports.add(result.getFailureReport().toString());
            }
        }
        if (!reports.isEmpty()) {
            throw new AssertionError(provider.getSimpleName() + "'s module breaks " + reports.size() + " rule(s) of"
                    + " the provider template:\n" + String.join("\n", reports));
        }
    }

    /** The module's main classes, from where the provider class was loaded. */
    public JavaClasses importModule() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPath(location(provider)).that(resideInAPackage(root + ".."));
    }

    /** The rules one by one, e.g. for a JUnit test per rule: {@code rule.check(importModule())}. */
    public List<ArchRule> rules() {
        return List.of(onlyTheProviderIsACloudProvider(), internalsLiveInInternal(), apiExposesNoInternals(),
                noInternalsOfCore(), noOtherKilnModule(), timeOnlyThroughTheTimeSource(), moduleDescriptor());
    }

    private ArchRule onlyTheProviderIsACloudProvider() {
        return classes().that().implement(CloudProvider.class)
                .should().be(provider)
                .andShould().bePublic().andShould().haveModifier(JavaModifier.FINAL)
                .because("a provider module has one CloudProvider, its public final " + provider.getSimpleName()
                        + " built from its settings; its logic lives in " + internal() + " classes split by concern,"
                        + " not in a second CloudProvider it forwards to");
    }

    private ArchRule internalsLiveInInternal() {
        List<String> allowed = new ArrayList<>(apiPackages);
        allowed.add(internal() + "..");
        return classes().should().resideInAnyPackage(allowed.toArray(String[]::new))
                .because("only " + new TreeSet<>(apiPackages) + " is the module's API; everything else is "
                        + internal());
    }

    private ArchRule apiExposesNoInternals() {
        return classes().that(isApi()).should(new ArchCondition<JavaClass>("name no internal type in a public"
                + " signature") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                List<String> found = new ArrayList<>();
                c.getSuperclass().ifPresent(t -> internalTypes(t).forEach(i -> found.add("extends " + i)));
                c.getInterfaces().forEach(t -> internalTypes(t).forEach(i -> found.add("implements " + i)));
                for (JavaField f : c.getFields()) {
                    if (visible(f)) {
                        internalTypes(f.getType()).forEach(i -> found.add("field " + f.getName() + " is " + i));
                    }
                }
                for (JavaCodeUnit u : c.getCodeUnits()) {
                    if (!visible(u)) {
                        continue;
                    }
                    internalTypes(u.getReturnType()).forEach(i -> found.add(u.getName() + "() returns " + i));
                    u.getParameterTypes().forEach(p -> internalTypes(p).forEach(i -> found.add(u.getName()
                            + "(..) takes " + i)));
                }
                for (String f : found) {
                    events.add(SimpleConditionEvent.violated(c, c.getName() + ": " + f));
                }
            }
        }).because("the module exports only " + new TreeSet<>(apiPackages) + ", so a caller could not name the type");
    }

    private ArchRule noInternalsOfCore() {
        Set<String> internals = new TreeSet<>(Core.packages());
        internals.removeAll(Core.exports());
        return noClasses().should().dependOnClassesThat(resideInAnyPackage(internals.toArray(String[]::new))
                        .as("reside in core's internal packages"))
                .because("core exports only " + new TreeSet<>(Core.exports()) + "; the rest may change with any"
                        + " release");
    }

    private ArchRule noOtherKilnModule() {
        DescribedPredicate<JavaClass> otherModule = resideInAPackage("dev.kiln..")
                .and(resideInAPackage(root + "..").negate())
                .and(resideInAnyPackage(Core.packages().toArray(String[]::new)).negate())
                .as("belong to another Kiln module (a provider, the emulators, the testkit, the CLI)");
        return noClasses().should().dependOnClassesThat(otherModule)
                .because("arrows point toward core: a provider is a client of core's API and SPI only, and never"
                        + " imports another provider");
    }

    private static ArchRule timeOnlyThroughTheTimeSource() {
        return noClasses().should().callMethod(Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(Thread.class, "sleep", long.class)
                .orShould().callMethod(Thread.class, "sleep", long.class, int.class)
                .orShould().callMethod(LocalDateTime.class, "now")
                .orShould().callMethod(Clock.class, "systemUTC")
                .because("every wait and timestamp goes through the run's TimeSource, so runs work in virtual time");
    }

    private ArchRule moduleDescriptor() {
        return classes().that(isTheProvider())
                .should(new ArchCondition<JavaClass>("come from a module that exports " + new TreeSet<>(apiPackages)
                        + " only and registers its ProviderFactory") {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        for (String problem : descriptorProblems()) {
                            events.add(SimpleConditionEvent.violated(c, problem));
                        }
                    }
                })
                .because("tools find providers through ServiceLoader, on the class path and on the module path alike");
    }

    private List<String> descriptorProblems() {
        List<String> problems = new ArrayList<>();
        Path source = location(provider);
        Set<String> services = services(source);
        if (services.isEmpty()) {
            problems.add(source + " has no " + SERVICES + " naming the module's ProviderFactory");
        }
        for (String s : services) {
            if (!s.startsWith(internal() + ".")) {
                problems.add(SERVICES + " names " + s + ", which is not in " + internal());
            }
        }
        Optional<ModuleDescriptor> descriptor = descriptor(provider);
        if (descriptor.isEmpty()) {
            return problems;
        }
        ModuleDescriptor d = descriptor.get();
        Set<String> exported = new TreeSet<>();
        for (ModuleDescriptor.Exports e : d.exports()) {
            if (e.isQualified()) {
                problems.add("module " + d.name() + " exports " + e.source() + " to " + e.targets()
                        + "; a provider exports its API to everyone and nothing else");
            } else {
                exported.add(e.source());
            }
        }
        if (!exported.equals(new TreeSet<>(apiPackages))) {
            problems.add("module " + d.name() + " exports " + exported + ", not its API " + new TreeSet<>(apiPackages));
        }
        Set<String> provided = d.provides().stream().filter(p -> p.service().equals(ProviderFactory.class.getName()))
                .flatMap(p -> p.providers().stream()).collect(Collectors.toCollection(TreeSet::new));
        if (!provided.equals(new TreeSet<>(services))) {
            problems.add("module " + d.name() + " provides " + ProviderFactory.class.getName() + " with " + provided
                    + " but " + SERVICES + " names " + new TreeSet<>(services) + "; name the same factory in both");
        }
        return problems;
    }

    private String internal() {
        return root + ".internal";
    }

    private DescribedPredicate<JavaClass> isApi() {
        return DescribedPredicate.describe("are public types of " + new TreeSet<>(apiPackages), c -> {
            if (!apiPackages.contains(c.getPackageName()) || c.isAnonymousClass()) {
                return false;
            }
            for (JavaClass k = c; k != null; k = k.getEnclosingClass().orElse(null)) {
                if (!k.getModifiers().contains(JavaModifier.PUBLIC)) {
                    return false;
                }
            }
            return true;
        });
    }

    private static boolean visible(JavaMember m) {
        return m.getModifiers().contains(JavaModifier.PUBLIC) || m.getModifiers().contains(JavaModifier.PROTECTED)
                && !m.getOwner().getModifiers().contains(JavaModifier.FINAL);
    }

    private Stream<String> internalTypes(JavaType type) {
        return type.getAllInvolvedRawTypes().stream().filter(t -> t.getPackageName().startsWith(internal()))
                .map(JavaClass::getName);
    }

    private DescribedPredicate<JavaClass> isTheProvider() {
        return DescribedPredicate.describe("are " + provider.getName(), c -> c.isEquivalentTo(provider));
    }

    /** What core exports and holds, from its own module descriptor and classes. */
    private static final class Core {
        private static Set<String> exports() {
            ModuleDescriptor d = descriptor(CloudProvider.class).orElseThrow(() -> new IllegalStateException("kiln-core"
                    + " at " + location(CloudProvider.class) + " has no module-info.class to read its API from"));
            return d.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                    .collect(Collectors.toUnmodifiableSet());
        }

        private static Set<String> packages() {
            Module m = CloudProvider.class.getModule();
            return m.isNamed() ? m.getDescriptor().packages() : packagesAt(location(CloudProvider.class));
        }
    }

    private static Path location(Class<?> c) {
        CodeSource source = c.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException("cannot tell where " + c.getName() + " was loaded from");
        }
        try {
            return Path.of(source.getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot tell where " + c.getName() + " was loaded from", e);
        }
    }

    /** The module's own descriptor: none for an automatic module or a jar without {@code module-info.class}. */
    private static Optional<ModuleDescriptor> descriptor(Class<?> c) {
        Module m = c.getModule();
        if (m.isNamed()) {
            return m.getDescriptor().isAutomatic() ? Optional.empty() : Optional.of(m.getDescriptor());
        }
        return read(location(c), "module-info.class").map(bytes -> ModuleDescriptor.read(ByteBuffer.wrap(bytes)));
    }

    /** The factories {@code META-INF/services} names, comments and blank lines left out. */
    private static Set<String> services(Path source) {
        Set<String> names = new LinkedHashSet<>();
        read(source, SERVICES).ifPresent(bytes -> new String(bytes, StandardCharsets.UTF_8).lines()
                .map(l -> l.replaceAll("#.*", "").strip()).filter(l -> !l.isEmpty()).forEach(names::add));
        return names;
    }

    private static Optional<byte[]> read(Path source, String entry) {
        try {
            if (Files.isDirectory(source)) {
                Path f = source.resolve(entry);
                return Files.isRegularFile(f) ? Optional.of(Files.readAllBytes(f)) : Optional.empty();
            }
            try (ZipFile zip = new ZipFile(source.toFile())) {
                ZipEntry e = zip.getEntry(entry);
                return e == null ? Optional.empty() : Optional.of(zip.getInputStream(e).readAllBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + entry + " of " + source, e);
        }
    }

    private static Set<String> packagesAt(Path source) {
        Set<String> packages = new TreeSet<>();
        try {
            if (Files.isDirectory(source)) {
                try (Stream<Path> files = Files.walk(source)) {
                    files.filter(f -> f.toString().endsWith(".class")).map(source::relativize)
                            .forEach(f -> addPackage(packages, f.toString().replace(f.getFileSystem().getSeparator(),
                                    "/")));
                }
            } else {
                try (ZipFile zip = new ZipFile(source.toFile())) {
                    zip.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".class"))
                            .forEach(n -> addPackage(packages, n));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the classes of " + source, e);
        }
        return packages;
    }

    private static void addPackage(Set<String> packages, String classFile) {
        int slash = classFile.lastIndexOf('/');
        if (slash > 0 && !classFile.startsWith("META-INF/")) {
            packages.add(classFile.substring(0, slash).replace('/', '.'));
        }
    }
}
