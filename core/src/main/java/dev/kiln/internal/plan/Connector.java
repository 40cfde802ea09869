package dev.kiln.internal.plan;

import dev.kiln.plan.Connection;
import dev.kiln.plan.Connection.Link;
import dev.kiln.plan.Connection.Role;
import dev.kiln.plan.Connection.Via;
import dev.kiln.plan.Target;
import dev.kiln.template.BuilderCatalog;
import dev.kiln.template.BuilderProfile;
import dev.kiln.template.Evaluation;
import dev.kiln.template.Expression;
import dev.kiln.template.Expression.ObjectCons;
import dev.kiln.template.PackerTemplate;
import dev.kiln.template.Reference;
import dev.kiln.template.StaticEvaluator;
import dev.kiln.template.TemplateFormat;
import dev.kiln.template.TemplateLocal;
import dev.kiln.template.TemplatePosition;
import dev.kiln.template.TemplatePostProcessor;
import dev.kiln.template.TemplateProvisioner;
import dev.kiln.template.TemplateVariable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Works out, for one build of one image, how its target's region, its unique image name, its build
 * id and the instance size Kiln reserves reach packer's builder, by reading the builder's fields
 * ({@link BuilderCatalog}) and evaluating them with the build's own variables ({@link StaticEvaluator}).
 * What would not arrive (a region that is the template's default, a name with {@code {{timestamp}}},
 * a tag without the build id, a size other than the one reserved) is a {@link Gap} naming the field's
 * file:line and the fix. Holds nothing between builds but the template.
 */
final class Connector {

    /** Kiln's own variables for each role. */
    static final Map<Role, String> KILN_VARIABLES = Map.of(Role.REGION, "kiln_region", Role.IMAGE_NAME,
            "kiln_image_name", Role.BUILD_ID, "kiln_build_id", Role.INSTANCE, "kiln_instance");

    /** How a vSphere VM's notes carry its build id (the vsphere provider's {@code BuildMarks}). */
    private static final String NOTES_MARK = "kiln-build-id=";

    /** The name of the content library item a vSphere builder exports to. */
    private static final String LIBRARY_ITEM = "content_library_destination.name";

    private final PackerTemplate template;
    private final Selection selection;
    private final Map<String, String> variablesMap;
    private final Set<String> setFields;
    private final String plannedInstance;
    private final Integer plannedVcpus;

    /**
     * @param variablesMap    role key to the template variable the plan maps to it
     * @param setFields       role keys whose builder fields Kiln writes (JSON templates)
     * @param plannedInstance the plan's {@code instance:}, or null
     * @param plannedVcpus    the plan's {@code vcpus:}, or null
     */
    Connector(PackerTemplate template, Selection selection, Map<String, String> variablesMap, Set<String> setFields,
              String plannedInstance, Integer plannedVcpus) {
        this.template = template;
        this.selection = selection;
        this.variablesMap = variablesMap;
        this.setFields = setFields;
        this.plannedInstance = plannedInstance;
        this.plannedVcpus = plannedVcpus;
    }

    /** One build, as far as the planner knows it. */
    record Build(Target target, String environment, String imageName, String buildId, String runId,
                 long expiresAt) {
    }

    /**
     * What could not be connected.
     *
     * @param role     the role
     * @param at       where in the template (the field, or the builder when the field is missing)
     * @param field    the builder field, as a dotted path
     * @param written  the field's value as written, or null when it is missing
     * @param problem  what is wrong, with the values of this build
     * @param fix      how to connect it
     */
    record Gap(Role role, TemplatePosition at, String field, String written, String problem, String fix) {
    }

    /**
     * The result for one build.
     *
     * @param connection the connection, complete when there are no gaps
     * @param instance   the instance size the build runs on (the plan's, or the template's), or null
     * @param vcpus      the vCPUs the template gives a vSphere VM, or null
     * @param gaps       what could not be connected
     */
    record Result(Connection connection, String instance, Integer vcpus, List<Gap> gaps) {
    }

    /** The variables Kiln hands every build, as {@code DefaultProcessRunner} does at its start. */
    static Map<String, Object> kilnVariables(Build b, String instance) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("kiln_image_name", b.imageName());
        v.put("kiln_build_id", b.buildId());
        v.put("kiln_run_id", b.runId());
        v.put("kiln_env", b.environment());
        v.put("kiln_region", b.target().region());
        v.put("kiln_account", b.target().account());
        v.put("kiln_provider", b.target().provider());
        v.put("kiln_instance", instance == null ? "" : instance);
        v.put("kiln_expires_at", String.valueOf(b.expiresAt()));
        return v;
    }

    /**
     * Connects one build.
     *
     * @param build      the build
     * @param planValues the template variables the plan gives this build (placeholders rendered), without
     *                   the mapped ones
     * @param sensitive  the plan's sensitive variable names
     */
    Result connect(Build build, Map<String, Object> planValues, Set<String> sensitive) {
        Map<String, Object> variables = new LinkedHashMap<>(planValues);
        Map<String, Object> roleValues = roleValues(build);
        variablesMap.forEach((role, variable) -> variables.put(variable, roleValues.get(role)));
        Map<String, Object> given = new LinkedHashMap<>(variables);
        given.putAll(kilnVariables(build, plannedInstance));
        StaticEvaluator evaluator = template.evaluator(given);
        Set<String> allSensitive = new LinkedHashSet<>(sensitive);
        template.variables().stream().filter(TemplateVariable::sensitive).map(TemplateVariable::name)
                .forEach(allSensitive::add);

        List<Link> links = new ArrayList<>();
        List<Gap> gaps = new ArrayList<>();
        Map<String, Object> fields = new LinkedHashMap<>();
        String instance = plannedInstance;
        Integer vcpus = null;
        Optional<BuilderProfile> profile = BuilderCatalog.profile(selection.type());
        if (selection.type().equals("null")) {
            for (Role r : Role.values()) {
                links.add(new Link(r, Via.STAND_IN, null, null, null, selection.position()));
            }
        } else if (profile.isPresent()) {
            Context c = new Context(build, evaluator, profile.get(), planValues.keySet(), links, gaps, fields);
            region(c);
            imageName(c);
            buildId(c);
            Sized sized = instance(c);
            instance = sized.instance;
            vcpus = sized.vcpus;
        }
        Connection connection = new Connection(selection.name(), selection.type(), variables, allSensitive,
                selection.builderIndex(), fields, links);
        return new Result(connection, instance, vcpus, gaps);
    }

    private Map<String, Object> roleValues(Build b) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put(Role.REGION.key(), b.target().region());
        v.put(Role.IMAGE_NAME.key(), b.imageName());
        v.put(Role.BUILD_ID.key(), b.buildId());
        v.put(Role.INSTANCE.key(), plannedInstance == null ? "" : plannedInstance);
        return v;
    }

    /** What one build's checks share. */
    private record Context(Build build, StaticEvaluator evaluator, BuilderProfile profile, Set<String> planned,
                           List<Link> links, List<Gap> gaps, Map<String, Object> fields) {
    }

    /** A builder field: its path and value, when written. */
    private record Field(String path, Expression value) {
    }

    private Optional<Field> firstWritten(List<String> paths) {
        for (String p : paths) {
            Optional<Expression> e = selection.field(p);
            if (e.isPresent()) {
                return Optional.of(new Field(p, e.get()));
            }
        }
        return Optional.empty();
    }

    private boolean json() {
        return template.format() == TemplateFormat.JSON;
    }

    // --- region

    private void region(Context c) {
        String region = c.build.target().region();
        boolean gcp = c.profile.providerId().equals("gcp");
        Optional<Field> field = firstWritten(c.profile.location());
        String main = c.profile.location().get(0);
        if (setFields.contains(Role.REGION.key())) {
            if (gcp) {
                c.gaps.add(new Gap(Role.REGION, selection.position(), main, null, "Kiln cannot write zone for the"
                        + " target's region " + region + ": a region has several zones, and which exist differs",
                        TemplateMessages.zoneFix(json())));
                return;
            }
            c.fields.put(main, region);
            c.links.add(new Link(Role.REGION, Via.SET_FIELD, main, null, region, selection.position()));
            return;
        }
        if (field.isEmpty()) {
            c.gaps.add(new Gap(Role.REGION, selection.position(), main, null, "the builder sets no " + main
                    + ", so the build would not run in the target's region " + region,
                    TemplateMessages.readKiln(json(), main, "kiln_region", Role.REGION, gcp)));
            return;
        }
        Field f = field.get();
        if (!f.path.equals(main) && c.profile.providerId().equals("azure")) {
            c.gaps.add(new Gap(Role.REGION, f.value.position(), f.path, text(f.value), "the build runs wherever the"
                    + " resource group " + f.path + " names is, which Kiln cannot tell is the target's region "
                    + region, TemplateMessages.readKiln(json(), "location", "kiln_region", Role.REGION, false)));
            return;
        }
        Evaluation e = c.evaluator.evaluate(f.value);
        if (e instanceof Evaluation.Known k && k.value() != null && !(k.value() instanceof Map<?, ?>)
                && !(k.value() instanceof List<?>)) {
            String value = Values.text(k.value());
            boolean matches = gcp ? value.startsWith(region + "-") : sameRegion(value, region);
            if (matches) {
                c.links.add(link(c, Role.REGION, f, value));
                return;
            }
            c.gaps.add(new Gap(Role.REGION, f.value.position(), f.path, text(f.value), "is '" + value + "'"
                    + origin(c, f.value) + ", " + (gcp ? "a zone outside" : "not") + " the target's region " + region
                    + ": packer would build there",
                    TemplateMessages.fix(json(), f.path, "kiln_region", Role.REGION, onlyVariable(f.value), gcp)));
            return;
        }
        c.gaps.add(unknown(Role.REGION, f, e, "the target's region " + region, gcp));
    }

    private static boolean sameRegion(String value, String region) {
        return value.replace(" ", "").equalsIgnoreCase(region.replace(" ", ""));
    }

    // --- image name

    private void imageName(Context c) {
        String name = c.build.imageName();
        if (c.profile.imageName().isEmpty()) {
            c.gaps.add(new Gap(Role.IMAGE_NAME, selection.position(), "", null, selection.type() + " makes no image"
                    + " that Kiln could name, check and verify", "build an image with another builder of "
                    + c.profile.providerId() + " (" + String.join(", ", builders(c.profile.providerId())) + ")"));
            return;
        }
        String main = c.profile.imageName().get(0);
        if (setFields.contains(Role.IMAGE_NAME.key())) {
            String path = firstWritten(c.profile.imageName()).map(Field::path).orElse(main);
            c.fields.put(path, name);
            c.links.add(new Link(Role.IMAGE_NAME, Via.SET_FIELD, path, null, name, selection.position()));
            return;
        }
        // A vSphere build exporting to a content library makes the library item Kiln verifies; its
        // VM (vm_name) is the build's own, destroyed or kept beside it.
        Optional<Field> field = firstWritten(selection.field(LIBRARY_ITEM).isPresent() ? List.of(LIBRARY_ITEM)
                : c.profile.imageName());
        if (field.isEmpty()) {
            c.gaps.add(new Gap(Role.IMAGE_NAME, selection.position(), main, null, "the builder sets no " + main
                    + ", so the image would not get the name Kiln checked and reserved ('" + name + "')",
                    TemplateMessages.readKiln(json(), main, "kiln_image_name", Role.IMAGE_NAME, false)));
            return;
        }
        Field f = field.get();
        Evaluation e = c.evaluator.evaluate(f.value);
        if (e instanceof Evaluation.Known k && k.value() instanceof String value) {
            if (value.equals(name)) {
                c.links.add(link(c, Role.IMAGE_NAME, f, value));
                return;
            }
            c.gaps.add(new Gap(Role.IMAGE_NAME, f.value.position(), f.path, text(f.value), "is '" + value + "'"
                    + origin(c, f.value) + ", not the name Kiln checked and reserved for this build ('" + name
                    + "'): Kiln would verify an image packer never made, and builds sharing the name collide",
                    TemplateMessages.fix(json(), f.path, "kiln_image_name", Role.IMAGE_NAME, onlyVariable(f.value),
                            false)));
            return;
        }
        c.gaps.add(unknown(Role.IMAGE_NAME, f, e, "the name Kiln checked and reserved ('" + name + "')", false));
    }

    // --- build id

    private void buildId(Context c) {
        String buildId = c.build.buildId();
        List<String> keys = c.profile.buildIdKeys();
        if (c.profile.buildIdTags().isEmpty()) {
            stepReadsBuildId(c);
            return;
        }
        if (setFields.contains(Role.BUILD_ID.key())) {
            List<String> paths = new ArrayList<>();
            for (String tagField : c.profile.buildIdTags()) {
                c.fields.put(tagField + "." + keys.get(0), buildId);
                paths.add(tagField + "." + keys.get(0));
            }
            c.links.add(new Link(Role.BUILD_ID, Via.SET_FIELD, String.join(", ", paths), null, buildId,
                    selection.position()));
            return;
        }
        Link first = null;
        List<String> connected = new ArrayList<>();
        List<String> missing = c.profile.buildIdTags().stream().filter(t -> selection.fields(t).isEmpty()).toList();
        if (!missing.isEmpty()) {
            c.gaps.add(new Gap(Role.BUILD_ID, selection.position(), String.join(", ", missing), null, "the builder"
                    + " sets no " + String.join(" and no ", missing) + ", so " + String.join(" and ", missing.stream()
                    .map(Connector::tagPurpose).toList()) + " would not carry the build id " + buildId,
                    TemplateMessages.tagFix(json(), String.join(" and ", missing), keys.get(0))));
            return;
        }
        for (String tagField : c.profile.buildIdTags()) {
            for (Expression value : selection.fields(tagField)) {
                Optional<Link> link = tagCarries(c, tagField, value, keys, buildId);
                if (link.isEmpty()) {
                    return;
                }
                connected.add(link.get().field());
                first = first == null ? link.get() : first;
            }
        }
        c.links.add(new Link(Role.BUILD_ID, first.via(), String.join(", ", connected), first.variable(), buildId,
                first.position()));
    }

    private static String tagPurpose(String tagField) {
        return switch (tagField) {
            case "run_tags", "labels" -> "the instance it builds on (what a failed build's sweep finds it by)";
            default -> "the image (what Kiln verifies it by)";
        };
    }

    /** The link of a tag field that carries the build id under one of {@code keys}; a gap is recorded otherwise. */
    private Optional<Link> tagCarries(Context c, String tagField, Expression value, List<String> keys, String buildId) {
        if (value instanceof ObjectCons o) {
            for (ObjectCons.Item item : o.items()) {
                Evaluation key = c.evaluator.evaluate(item.key());
                if (key instanceof Evaluation.Known k && k.value() instanceof String s && keys.contains(s)) {
                    Field f = new Field(tagField + "." + s, item.value());
                    Evaluation e = c.evaluator.evaluate(item.value());
                    if (e instanceof Evaluation.Known v && buildId.equals(Values.text(v.value()))) {
                        return Optional.of(link(c, Role.BUILD_ID, f, buildId));
                    }
                    c.gaps.add(e instanceof Evaluation.Known v
                            ? new Gap(Role.BUILD_ID, item.value().position(), f.path, text(item.value()), "is '"
                                    + Values.text(v.value()) + "'" + origin(c, item.value()) + ", not the build id "
                                    + buildId, TemplateMessages.fix(json(), f.path, "kiln_build_id", Role.BUILD_ID,
                                    onlyVariable(item.value()), false))
                            : unknown(Role.BUILD_ID, f, e, "the build id " + buildId, false));
                    return Optional.empty();
                }
            }
            c.gaps.add(new Gap(Role.BUILD_ID, value.position(), tagField, null, "has no " + keys.get(0)
                    + " " + (keys.size() > 1 ? "(or " + keys.get(1) + ") " : "") + "key, so " + tagPurpose(tagField)
                    + " would not carry the build id " + buildId, TemplateMessages.tagFix(json(), tagField,
                    keys.get(0))));
            return Optional.empty();
        }
        Evaluation e = c.evaluator.evaluate(value);
        if (e instanceof Evaluation.Known k && k.value() instanceof Map<?, ?> m) {
            for (String key : keys) {
                if (buildId.equals(m.get(key) == null ? null : Values.text(m.get(key)))) {
                    return Optional.of(link(c, Role.BUILD_ID, new Field(tagField + "." + key, value), buildId));
                }
            }
            c.gaps.add(new Gap(Role.BUILD_ID, value.position(), tagField, text(value), "holds no " + keys.get(0)
                    + " = " + buildId + origin(c, value), TemplateMessages.tagFix(json(), tagField, keys.get(0))));
            return Optional.empty();
        }
        c.gaps.add(unknown(Role.BUILD_ID, new Field(tagField, value), e, "a " + keys.get(0) + " tag of the build id "
                + buildId, false));
        return Optional.empty();
    }

    /**
     * A builder without tags (vSphere in packer 1.6.6): its VM's {@code notes} carry
     * {@code kiln-build-id=<id>} (what the vsphere provider verifies and sweeps by), or a provisioner
     * or post-processor reads the build id.
     */
    private void stepReadsBuildId(Context c) {
        String buildId = c.build.buildId();
        Optional<Expression> notes = selection.field("notes");
        if (notes.isPresent()) {
            Evaluation e = c.evaluator.evaluate(notes.get());
            if (e instanceof Evaluation.Known k && Values.text(k.value()).contains(NOTES_MARK + buildId)) {
                c.links.add(link(c, Role.BUILD_ID, new Field("notes", notes.get()), buildId));
                return;
            }
        }
        List<Expression> steps = new ArrayList<>();
        List<TemplatePosition> at = new ArrayList<>();
        if (selection.build() != null) {
            for (TemplateProvisioner p : selection.build().provisioners()) {
                if (appliesHere(p.only(), p.except())) {
                    p.body().attributes().forEach(a -> steps.add(a.value()));
                    p.body().attributes().forEach(a -> at.add(p.position()));
                }
            }
            for (TemplatePostProcessor.Chain chain : selection.build().postProcessors()) {
                for (TemplatePostProcessor p : chain.steps()) {
                    if (appliesHere(p.only(), p.except())) {
                        p.body().attributes().forEach(a -> steps.add(a.value()));
                        p.body().attributes().forEach(a -> at.add(p.position()));
                    }
                }
            }
        }
        for (int i = 0; i < steps.size(); i++) {
            for (String variable : reads(steps.get(i))) {
                if (buildId.equals(valueOf(c, variable))) {
                    c.links.add(new Link(Role.BUILD_ID, Via.TEMPLATE_STEP, null, variable, buildId, at.get(i)));
                    return;
                }
            }
        }
        c.gaps.add(new Gap(Role.BUILD_ID, selection.position(), "", null, "packer 1.6.6's " + selection.type()
                + " has no tags, and no provisioner or post-processor of this build reads the build id " + buildId
                + ": the VM would not carry the kiln-build-id tag the vsphere provider verifies it and sweeps it by",
                TemplateMessages.vsphereTagFix(json())));
    }

    private boolean appliesHere(List<String> only, List<String> except) {
        String[] names = {selection.name(), selection.source().buildName(), selection.source().name(),
            selection.type() + "." + selection.source().name()};
        boolean listed = only.isEmpty();
        for (String n : names) {
            listed |= only.contains(n) || only.contains("source." + n);
            if (except.contains(n) || except.contains("source." + n)) {
                return false;
            }
        }
        return listed;
    }

    // --- instance size

    private record Sized(String instance, Integer vcpus) {
    }

    private Sized instance(Context c) {
        if (c.profile.instanceSize().isEmpty()) {
            return new Sized(plannedInstance, null);
        }
        if (c.profile.providerId().equals("vsphere")) {
            return vsphereSize(c);
        }
        String main = c.profile.instanceSize().get(0);
        if (setFields.contains(Role.INSTANCE.key())) {
            if (plannedInstance == null) {
                c.gaps.add(new Gap(Role.INSTANCE, selection.position(), main, null, "set_fields names instance but"
                        + " the plan gives no instance: for Kiln to write", "give the image an instance: (e.g."
                        + " instance: " + example(c.profile.providerId()) + ")"));
                return new Sized(null, null);
            }
            c.fields.put(main, plannedInstance);
            c.links.add(new Link(Role.INSTANCE, Via.SET_FIELD, main, null, plannedInstance, selection.position()));
            return new Sized(plannedInstance, null);
        }
        Optional<Field> field = firstWritten(c.profile.instanceSize());
        if (field.isEmpty()) {
            if (plannedInstance != null) {
                c.gaps.add(new Gap(Role.INSTANCE, selection.position(), main, null, "the builder sets no " + main
                        + ", so the plan's instance " + plannedInstance + " (what Kiln reserves quota for) never"
                        + " reaches packer, which would build on its default", TemplateMessages.readKiln(json(), main,
                        "kiln_instance", Role.INSTANCE, false)));
            } else {
                c.links.add(new Link(Role.INSTANCE, Via.PACKER_DEFAULT, main, null, null, selection.position()));
            }
            return new Sized(plannedInstance, null);
        }
        Field f = field.get();
        Evaluation e = c.evaluator.evaluate(f.value);
        if (e instanceof Evaluation.Known k && k.value() instanceof String value && !value.isBlank()) {
            if (plannedInstance == null || plannedInstance.equals(value)) {
                Link link = link(c, Role.INSTANCE, f, value);
                c.links.add(plannedInstance == null && link.via() != Via.PLAN_VALUE && link.via() != Via.MAPPED_VARIABLE
                        ? new Link(Role.INSTANCE, Via.TEMPLATE_VALUE, f.path, null, value, f.value.position()) : link);
                return new Sized(value, null);
            }
            c.gaps.add(new Gap(Role.INSTANCE, f.value.position(), f.path, text(f.value), "is '" + value + "'"
                    + origin(c, f.value) + ", but the plan's instance is " + plannedInstance + ": Kiln would reserve"
                    + " quota for one size and packer build another", TemplateMessages.instanceFix(json(), f.path,
                    onlyVariable(f.value), plannedInstance)));
            return new Sized(plannedInstance, null);
        }
        if (e instanceof Evaluation.Known) {
            boolean kiln = reads(f.value).contains(KILN_VARIABLES.get(Role.INSTANCE));
            c.gaps.add(new Gap(Role.INSTANCE, f.value.position(), f.path, text(f.value), "is empty"
                    + (kiln ? ": it reads kiln_instance and the plan gives the image no instance:" : origin(c, f.value))
                    + ", so packer has no size to build on and Kiln none to reserve quota for", "give the image an"
                    + " instance: in the plan (e.g. instance: " + example(c.profile.providerId()) + ")"));
            return new Sized(plannedInstance, null);
        }
        c.gaps.add(unknown(Role.INSTANCE, f, e, plannedInstance == null ? "an instance size Kiln can reserve quota"
                + " for" : "the plan's instance " + plannedInstance, false));
        return new Sized(plannedInstance, null);
    }

    private Sized vsphereSize(Context c) {
        Optional<Expression> cpus = selection.field("CPUs");
        if (cpus.isEmpty()) {
            c.links.add(new Link(Role.INSTANCE, Via.PACKER_DEFAULT, "CPUs", null, null, selection.position()));
            return new Sized(plannedInstance, null);
        }
        Field f = new Field("CPUs", cpus.get());
        Evaluation e = c.evaluator.evaluate(f.value);
        Integer vcpus = null;
        if (e instanceof Evaluation.Known k && k.value() != null) {
            try {
                vcpus = Integer.valueOf(Values.text(k.value()).strip());
            } catch (NumberFormatException ignored) {
                vcpus = null;
            }
        }
        if (vcpus == null) {
            c.gaps.add(unknown(Role.INSTANCE, f, e, "a number of vCPUs Kiln can reserve", false));
            return new Sized(plannedInstance, null);
        }
        if (plannedVcpus != null && !plannedVcpus.equals(vcpus)) {
            c.gaps.add(new Gap(Role.INSTANCE, f.value.position(), "CPUs", text(f.value), "is " + vcpus
                    + origin(c, f.value) + ", but the plan's vcpus is " + plannedVcpus + ": Kiln would reserve one"
                    + " and packer build another", "make them agree: write vcpus: " + vcpus + " in the plan, or set"
                    + " CPUs from a variable the plan sets"));
            return new Sized(plannedInstance, null);
        }
        c.links.add(new Link(Role.INSTANCE, plannedVcpus == null ? Via.TEMPLATE_VALUE : link(c, Role.INSTANCE, f,
                String.valueOf(vcpus)).via(), "CPUs", null, String.valueOf(vcpus), f.value.position()));
        return new Sized(plannedInstance, vcpus);
    }

    private static String example(String provider) {
        return switch (provider) {
            case "azure" -> "Standard_D2s_v3";
            case "gcp" -> "e2-standard-2";
            default -> "t3.medium";
        };
    }

    private static List<String> builders(String provider) {
        return BuilderCatalog.supported().stream().filter(p -> p.providerId().equals(provider))
                .filter(p -> !p.imageName().isEmpty()).map(BuilderProfile::type).toList();
    }

    // --- how a value arrives

    /** A link for a field whose value is right: through which variable it came. */
    private Link link(Context c, Role role, Field f, String value) {
        Set<String> reads = reads(f.value);
        String kiln = KILN_VARIABLES.get(role);
        String mapped = variablesMap.get(role.key());
        if (reads.contains(kiln)) {
            return new Link(role, Via.KILN_VARIABLE, f.path, kiln, value, f.value.position());
        }
        if (mapped != null && reads.contains(mapped)) {
            return new Link(role, Via.MAPPED_VARIABLE, f.path, mapped, value, f.value.position());
        }
        for (String v : reads) {
            if (c.planned.contains(v) || variablesMap.containsValue(v)) {
                return new Link(role, Via.PLAN_VALUE, f.path, v, value, f.value.position());
            }
        }
        for (String v : reads) {
            if (v.startsWith("kiln_")) {
                return new Link(role, Via.KILN_VARIABLE, f.path, v, value, f.value.position());
            }
        }
        return new Link(role, Via.TEMPLATE_VALUE, f.path, null, value, f.value.position());
    }

    /** Where a wrong value comes from, for the message: the template's default, or the plan's value. */
    private String origin(Context c, Expression value) {
        for (String v : reads(value)) {
            if (c.planned.contains(v)) {
                return " (the plan's value of " + v + ")";
            }
            if (variablesMap.containsValue(v)) {
                return " (" + v + ", as variables_map sets it)";
            }
            if (!v.startsWith("kiln_") && template.variable(v).map(t -> t.defaultValue() != null).orElse(false)) {
                return " (the template's default of " + v + ", on every build)";
            }
        }
        return value.isLiteral() ? " (written in the template, the same for every build)" : "";
    }

    /** The one variable a value is, when it is exactly {@code var.x} or {@code {{user `x`}}}; else null. */
    private static String onlyVariable(Expression value) {
        List<Reference> refs = value.references();
        if (refs.size() != 1 || refs.get(0).kind() != Reference.Kind.VARIABLE) {
            return null;
        }
        Expression e = value;
        if (e instanceof Expression.StringTemplate t && t.parts().size() == 1) {
            e = t.parts().get(0);
        }
        boolean bare = e instanceof Expression.EngineCall || e instanceof Expression.GetAttr
                || e instanceof Expression.Index;
        return bare ? refs.get(0).name() : null;
    }

    private Gap unknown(Role role, Field f, Evaluation e, String wanted, boolean gcp) {
        Evaluation.Unknown u = (Evaluation.Unknown) (e instanceof Evaluation.Unknown ? e
                : new Evaluation.Unknown(Evaluation.Reason.INVALID, "is not a text value", f.value.position()));
        String why = switch (u.reason()) {
            case NOT_STATIC -> u.explanation() + ", so it is not " + wanted;
            case ENVIRONMENT -> u.explanation() + ": Kiln cannot tell it is " + wanted;
            case NO_VALUE -> u.explanation() + ", so it is not " + wanted;
            default -> u.explanation() + ": Kiln cannot tell it is " + wanted;
        };
        return new Gap(role, f.value.position(), f.path, text(f.value), why, TemplateMessages.fix(json(), f.path,
                KILN_VARIABLES.get(role), role, onlyVariable(f.value), gcp));
    }

    /** The value of a template variable for this build, as text; null when unknown. */
    private static String valueOf(Context c, String variable) {
        Evaluation e = c.evaluator.variable(variable);
        return e instanceof Evaluation.Known k && k.value() != null ? Values.text(k.value()) : null;
    }

    /** Every variable an expression reads, through locals and (in JSON) other variables' defaults. */
    Set<String> reads(Expression expression) {
        Set<String> out = new LinkedHashSet<>();
        Set<String> seen = new HashSet<>();
        Deque<Expression> todo = new ArrayDeque<>();
        todo.add(expression);
        while (!todo.isEmpty()) {
            for (Reference r : todo.pop().references()) {
                if (r.kind() == Reference.Kind.VARIABLE && out.add(r.name())) {
                    template.variable(r.name()).map(TemplateVariable::defaultValue).filter(d -> json())
                            .ifPresent(todo::add);
                } else if (r.kind() == Reference.Kind.LOCAL && seen.add(r.name())) {
                    template.local(r.name()).map(TemplateLocal::value).ifPresent(todo::add);
                }
            }
        }
        return out;
    }

    /** The value's source text, for a message: what the user wrote, short. */
    private String text(Expression value) {
        String s = written(value).orElseGet(() -> write(value));
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }

    /** The text of the attribute whose value {@code value} is, as written, without a string's quotes. */
    private Optional<String> written(Expression value) {
        List<dev.kiln.template.TemplateAttribute> attributes = new ArrayList<>(selection.source().body().attributes());
        if (selection.use() != null) {
            attributes.addAll(selection.use().overrides().attributes());
        }
        for (dev.kiln.template.TemplateAttribute a : attributes) {
            if (a.value() == value) {
                String t = a.text().strip();
                return Optional.of(t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") && !t.contains("\n")
                        ? t.substring(1, t.length() - 1) : t);
            }
        }
        return Optional.empty();
    }

    private String write(Expression value) {
        if (value instanceof Expression.Literal l) {
            return String.valueOf(l.value());
        }
        List<Reference> refs = value.references();
        if (value instanceof Expression.StringTemplate t) {
            StringBuilder sb = new StringBuilder();
            for (Expression part : t.parts()) {
                if (part instanceof Expression.Literal l) {
                    sb.append(l.value());
                } else if (part instanceof Expression.EngineCall call) {
                    sb.append(engine(call));
                } else {
                    sb.append("${").append(describe(part)).append('}');
                }
            }
            return sb.toString();
        }
        if (value instanceof Expression.EngineCall call) {
            return engine(call);
        }
        return refs.isEmpty() ? value.getClass().getSimpleName().toLowerCase(Locale.ROOT) : describe(value);
    }

    private static String engine(Expression.EngineCall call) {
        if (call.arguments().size() == 1 && call.arguments().get(0) instanceof Expression.Literal l) {
            return "{{" + call.function() + " `" + l.value() + "`}}";
        }
        return "{{" + call.function() + (call.function().startsWith(".") || call.arguments().isEmpty() ? "" : " ...")
                + "}}";
    }

    private static String describe(Expression e) {
        List<Reference> refs = e.references();
        if (e instanceof Expression.FunctionCall f) {
            return f.name() + "(...)";
        }
        return refs.isEmpty() ? "..." : refs.get(0).toString();
    }
}
