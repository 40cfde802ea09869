package dev.kiln.vsphere.internal;

import dev.kiln.KilnException;
import dev.kiln.plan.ProviderCatalog;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderFactory;
import dev.kiln.spi.ProviderSettings;
import dev.kiln.vsphere.VsphereProvider;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds {@link VsphereProvider}s for tools (the CLI) from non-secret settings, e.g.
 * {@code KILN_VSPHERE_ENDPOINT=https://vc.example.com}, {@code KILN_VSPHERE_VCENTERS=lab=https://vc-lab.example.com},
 * {@code KILN_VSPHERE_TRUST_STORE=/etc/kiln/vmca.p12}, {@code KILN_VSPHERE_DATASTORE=vsanDatastore},
 * {@code KILN_VSPHERE_HOST_MAX_COST=16}. Credentials come from the provider's default chain
 * ({@code VSPHERE_USER}/{@code VSPHERE_PASSWORD}), a trust store's password from
 * {@value #TRUST_STORE_PASSWORD_VARIABLE}; never from settings. Registered for
 * {@link java.util.ServiceLoader}.
 */
public final class VsphereProviderFactory implements ProviderFactory {

    /** The environment variable holding the password of the {@code trust_store} setting's store, if it has one. */
    public static final String TRUST_STORE_PASSWORD_VARIABLE = "VSPHERE_TRUST_STORE_PASSWORD";

    static final Set<String> KNOWN = Set.of("endpoint", "vcenters", "insecure", "trust_store", "trust_store_type",
            "datastore", "host_max_cost", "datastore_max_cost", "clone_cost", "folder_vm_limit", "tag_category",
            "expected_build_time", "connect_timeout", "request_timeout");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    private final Function<String, String> env;

    /** For {@link java.util.ServiceLoader}: the trust store's password from the process environment. */
    public VsphereProviderFactory() {
        this(System::getenv);
    }

    VsphereProviderFactory(Function<String, String> env) {
        this.env = env;
    }

    @Override
    public String id() {
        return VsphereProvider.ID;
    }

    @Override
    public ProviderCatalog catalog() {
        return VsphereCatalog.catalog();
    }

    @Override
    public CloudProvider create(ProviderSettings settings) {
        Set<String> unknown = new TreeSet<>(settings.values().keySet());
        unknown.removeAll(KNOWN);
        if (!unknown.isEmpty()) {
            throw new KilnException("unknown setting(s) " + unknown + " for provider vsphere; known: "
                    + new TreeSet<>(KNOWN));
        }
        VsphereProvider.Builder b = VsphereProvider.builder();
        text(settings, "endpoint").ifPresent(v -> vcenter("endpoint", v, b::vcenter));
        text(settings, "vcenters").ifPresent(v -> {
            for (String pair : v.split(",")) {
                if (pair.isBlank()) {
                    continue;
                }
                String[] kv = pair.split("=", 2);
                if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
                    throw new KilnException("setting vcenters of provider vsphere: '" + pair.strip() + "' is not"
                            + " account=url, e.g. vc-lab=https://vc-lab.example.com");
                }
                vcenter("vcenters", kv[1], url -> b.vcenter(kv[0].strip(), url));
            }
        });
        boolean insecure = settings.flag("insecure");
        if (insecure && settings.values().containsKey("trust_store")) {
            throw new KilnException("settings insecure and trust_store of provider vsphere exclude each other:"
                    + " trust the vCenter's CA with trust_store, or (labs only) any certificate with insecure");
        }
        if (insecure) {
            b.insecure();
        }
        String password = env.apply(TRUST_STORE_PASSWORD_VARIABLE);
        text(settings, "trust_store").ifPresent(v -> b.trustStore(path(v), text(settings, "trust_store_type")
                .orElse(null), password == null ? null : password.toCharArray()));
        if (settings.values().containsKey("trust_store_type") && !settings.values().containsKey("trust_store")) {
            throw new KilnException("setting trust_store_type of provider vsphere needs trust_store, the file it"
                    + " describes");
        }
        text(settings, "datastore").ifPresent(b::datastore);
        text(settings, "tag_category").ifPresent(b::tagCategory);
        whole(settings, "host_max_cost", b::hostMaxCost);
        whole(settings, "datastore_max_cost", b::datastoreMaxCost);
        whole(settings, "clone_cost", b::cloneCost);
        whole(settings, "folder_vm_limit", b::folderVmLimit);
        settings.get("expected_build_time").ifPresent(v -> b.expectedBuildTime(duration("expected_build_time", v)));
        settings.get("connect_timeout").ifPresent(v -> b.connectTimeout(duration("connect_timeout", v)));
        settings.get("request_timeout").ifPresent(v -> b.requestTimeout(duration("request_timeout", v)));
        try {
            return b.build();
        } catch (KilnException e) {
            if (password == null && settings.values().containsKey("trust_store")) {
                throw new KilnException("setting trust_store of provider vsphere: " + e.getMessage() + "; the"
                        + " password of a store that has one comes from the environment variable "
                        + TRUST_STORE_PASSWORD_VARIABLE, e);
            }
            throw e;
        }
    }

    private static Optional<String> text(ProviderSettings settings, String name) {
        return settings.get(name).map(String::strip).filter(s -> !s.isEmpty());
    }

    /** Hands {@code value} as a URL to {@code to}, whose check (https, or http for emulators) says what is wrong. */
    private static void vcenter(String name, String value, Consumer<URI> to) {
        URI url;
        try {
            url = URI.create(value.strip());
        } catch (IllegalArgumentException e) {
            throw new KilnException("setting " + name + " of provider vsphere: '" + value.strip() + "' is not a URL"
                    + " such as https://vcenter.example.com", e);
        }
        try {
            to.accept(url);
        } catch (IllegalArgumentException e) {
            throw new KilnException("setting " + name + " of provider vsphere: " + e.getMessage(), e);
        }
    }

    private static Path path(String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new KilnException("setting trust_store of provider vsphere: '" + value + "' is not a file path", e);
        }
    }

    private static void whole(ProviderSettings settings, String name, LongConsumer to) {
        settings.get(name).ifPresent(v -> {
            long n;
            try {
                n = Long.parseLong(v.strip());
            } catch (NumberFormatException e) {
                n = 0;
            }
            if (n < 1) {
                throw new KilnException("setting " + name + " of provider vsphere: '" + v + "' is not a whole number"
                        + " of at least 1");
            }
            to.accept(n);
        });
    }

    /** {@code 90s}, {@code 5m}, {@code 1h}, {@code 500ms}, a bare number of seconds, or ISO-8601 {@code PT5M}. */
    static Duration duration(String name, String value) {
        Matcher m = DURATION.matcher(value.strip().toLowerCase(Locale.ROOT));
        Duration d = null;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2) == null ? "s" : m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        } else {
            try {
                d = Duration.parse(value.strip());
            } catch (RuntimeException e) {
                // Reported below, with what is allowed.
            }
        }
        if (d == null || d.isNegative() || d.isZero()) {
            throw new KilnException("setting " + name + " of provider vsphere: '" + value + "' is not a positive"
                    + " duration such as 90s, 5m, 1h, 500ms or PT5M");
        }
        return d;
    }

    @Override
    public String toString() {
        return "VsphereProviderFactory[vsphere]";
    }
}
