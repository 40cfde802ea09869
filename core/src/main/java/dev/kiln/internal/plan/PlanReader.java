package dev.kiln.internal.plan;

import dev.kiln.job.FailureClass;
import dev.kiln.job.RetryPolicy;
import dev.kiln.limits.LimitSpec;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.PackerPins;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.PlanException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a plan file (format version 1) into a {@link PlanDraft} and hands it to the
 * {@link Planner}. This class knows the file's shape: keys, types, durations, limit shapes,
 * {@code ${env:NAME}} references and paths relative to the plan; what the values mean is the
 * planner's business, shared with plans built in code.
 */
public final class PlanReader {

    private static final List<String> TOP = List.of("kiln", "name", "packer", "naming", "environments", "retry",
            "targets", "images");
    private static final List<String> PACKER = List.of("version", "plugins");
    private static final List<String> PLUGIN = List.of("version", "sha256");
    private static final List<String> RETRY = List.of("attempts", "provisioner_attempts", "backoff");
    private static final List<String> BACKOFF = List.of("initial", "max", "multiplier");
    private static final List<String> TARGET = List.of("provider", "account", "region", "regions", "custom_regions",
            "options", "limits", "variables", "var_files");
    private static final List<String> ENVIRONMENT = List.of("name", "variables", "var_files");
    private static final List<String> LIMIT = List.of("capacity", "refill_per_second", "limit", "window",
            "max_cost");
    private static final List<String> IMAGE = List.of("name", "template", "builder", "only", "instance", "vcpus",
            "disk_gb", "providers", "environments", "priority", "timeout", "expected", "naming", "variables",
            "sensitive", "depends_on", "variables_map", "set_fields", "var_files");

    private static final String ENV_OPEN = "${env:";
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private static final long MAX_COUNT = 1_000_000_000L;

    private final Path file;
    private final Path baseDir;
    private final PlanContext ctx;
    private final Problems problems;
    /** Paths of missing keys an unknown key was suggested to be: "did you mean" already said it. */
    private final Set<String> suggested = new java.util.HashSet<>();
    private boolean imagesIncomplete;
    private boolean targetsIncomplete;

    private PlanReader(Path file, PlanContext ctx, Problems problems) {
        this.file = file;
        Path parent = file.toAbsolutePath().normalize().getParent();
        this.baseDir = parent == null ? file.toAbsolutePath().getRoot() : parent;
        this.ctx = ctx;
        this.problems = problems;
    }

    /** Reads, validates and expands the plan file {@code file}. */
    public static BuildPlan load(Path file, PlanContext ctx) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(ctx, "ctx");
        if (Files.isDirectory(file)) {
            throw new PlanException(Messages.cannotRead(file, "it is a directory, not a plan file"));
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new PlanException(Messages.cannotRead(file, "no such file"));
        } catch (AccessDeniedException e) {
            throw new PlanException(Messages.cannotRead(file, "permission denied"));
        } catch (IOException e) {
            throw new PlanException(Messages.cannotRead(file, "I/O error"));
        }
        return parse(decode(file, bytes), file, ctx);
    }

    /** Reads, validates and expands {@code text}; {@code file} names it in messages and anchors template paths. */
    public static BuildPlan parse(String text, Path file, PlanContext ctx) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(ctx, "ctx");
        Problems problems = new Problems();
        Path fileName = file.getFileName();
        boolean json = fileName != null && fileName.toString().toLowerCase(Locale.ROOT).endsWith(".json");
        Optional<Node> root = TreeReader.read(text, file, json, problems);
        if (root.isEmpty()) {
            throw problems.toException();
        }
        if (!(root.get() instanceof Node.MapNode top)) {
            problems.add(Messages.wrongType(site(root.get()), scalarText(root.get()), root.get().kind(),
                    "a mapping with kiln, name, environments, targets and images"));
            throw problems.toException();
        }
        PlanDraft draft = new PlanReader(file, ctx, problems).plan(top);
        return Planner.expand(draft, ctx, problems);
    }

    private static String decode(Path file, byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new PlanException(Messages.notUtf8(file, in.position()));
        }
        decoder.flush(out);
        String text = out.flip().toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    // --- the plan

    private PlanDraft plan(Node.MapNode root) {
        Map<String, Node> f = fields(root, TOP);
        Node kiln = f.get("kiln");
        if (kiln == null) {
            missing(root, "kiln", "the plan format version; write kiln: 1");
        } else {
            String v = text(kiln, "the number 1");
            if (v != null && !v.strip().equals("1")) {
                problems.add(Messages.version(site(kiln), v));
            }
        }
        String name = requiredText(root, f, "name", "the plan's name, e.g. name: base-images");
        PackerPins pins = packer(f.get("packer"));
        String naming = text(f.get("naming"), "a name template such as \"{image}-{env}-{timestamp}\"");
        Map<String, PlanDraft.Inputs> environmentInputs = new LinkedHashMap<>();
        List<String> environments = f.containsKey("environments") ? environments(f.get("environments"),
                environmentInputs) : List.of();
        RetryPolicy retry = retry(f.get("retry"));
        List<PlanDraft.TargetDraft> targets = targets(f.get("targets"));
        List<PlanDraft.ImageDraft> images = images(f.get("images"));
        return new PlanDraft(name, file, baseDir, pins, retry, naming, environments, targets, images, Map.of(),
                Sites.of(root), imagesIncomplete, targetsIncomplete, environmentInputs);
    }

    /**
     * {@code environments: [dev, { name: prod, variables: {...}, var_files: [...] }]}: the names, in order;
     * null when the list cannot be read (reported). An entry's variables and var files go to {@code inputs}.
     */
    private List<String> environments(Node node, Map<String, PlanDraft.Inputs> inputs) {
        if (unreadable(node)) {
            return null;
        }
        if (!(node instanceof Node.ListNode list)) {
            String written = scalarText(node);
            problems.add(Messages.wrongType(site(node), written, node.kind(),
                    "a list, e.g. " + (written == null ? "[dev, prod]" : "[" + written + "]")));
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (Node item : list.items()) {
            if (item instanceof Node.MapNode m) {
                Map<String, Node> f = fields(m, ENVIRONMENT);
                String name = requiredText(m, f, "name", "the environment's name, e.g. name: prod");
                PlanDraft.Inputs in = inputs(f, m);
                if (name == null) {
                    ok = false;
                    continue;
                }
                out.add(name);
                inputs.put(name, in);
            } else {
                String t = text(item, "an environment's name, or a mapping { name, variables, var_files }");
                if (t == null) {
                    ok = false;
                } else {
                    out.add(t);
                }
            }
        }
        return ok ? out : null;
    }

    /** The {@code variables} and {@code var_files} of a target or environment entry. */
    private PlanDraft.Inputs inputs(Map<String, Node> f, Node.MapNode m) {
        Map<String, Object> variables = variables(f.get("variables"), Set.of());
        List<Path> varFiles = varFiles(f.get("var_files"));
        return new PlanDraft.Inputs(variables, varFiles, Sites.of(m));
    }

    /** Variable files, resolved against the plan's directory; they may hold placeholders such as {env}. */
    private List<Path> varFiles(Node node) {
        List<Path> out = new ArrayList<>();
        List<String> written = orEmpty(texts(node, "[vars/common.json, \"vars/{env}.pkrvars.hcl\"]"));
        for (int i = 0; i < written.size(); i++) {
            Node item = ((Node.ListNode) node).items().get(i);
            Path p = templatePath(item, written.get(i));
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    private PackerPins packer(Node node) {
        Node.MapNode m = mapping(node, "a mapping with version and plugins");
        if (m == null) {
            return PackerPins.NONE;
        }
        Map<String, Node> f = fields(m, PACKER);
        String version = text(f.get("version"), "a version constraint such as \">= 1.6.0, < 2.0.0\"");
        Map<String, PackerPins.PluginPin> plugins = new LinkedHashMap<>();
        Node.MapNode pm = mapping(f.get("plugins"), "a mapping of plugin name to { version, sha256 }");
        if (pm != null) {
            for (var e : pm.entries().entrySet()) {
                String plugin = e.getKey();
                Node pin = e.getValue();
                if (pin instanceof Node.MapNode pinMap) {
                    Map<String, Node> pf = fields(pinMap, PLUGIN);
                    String v = requiredText(pinMap, pf, "version", "the plugin's exact version, e.g. \"1.2.8\"");
                    String sha = text(pf.get("sha256"), "64 hexadecimal characters");
                    if (v != null) {
                        plugins.put(plugin, new PackerPins.PluginPin(plugin, v, sha));
                    }
                } else if (unreadable(pin)) {
                    continue;
                } else if (pin instanceof Node.Scalar s && !s.isNull()) {
                    plugins.put(plugin, new PackerPins.PluginPin(plugin, s.text(), null));
                } else {
                    problems.add(Messages.wrongType(site(pin), null, pin.kind(),
                            "a version, or a mapping { version, sha256 }"));
                }
            }
        }
        return new PackerPins(version, plugins);
    }

    private RetryPolicy retry(Node node) {
        RetryPolicy policy = RetryPolicy.defaults();
        Node.MapNode m = mapping(node, "a mapping with attempts, provisioner_attempts and backoff");
        if (m == null) {
            return policy;
        }
        Map<String, Node> f = fields(m, RETRY);
        Long attempts = whole(f.get("attempts"), 1, 100);
        if (attempts != null) {
            for (FailureClass c : FailureClass.values()) {
                if (c.isRetryable() && c != FailureClass.PROVISIONER_FAILED) {
                    policy = policy.withAttempts(c, attempts.intValue());
                }
            }
        }
        Long provisioner = whole(f.get("provisioner_attempts"), 1, 100);
        if (provisioner != null) {
            policy = policy.withAttempts(FailureClass.PROVISIONER_FAILED, provisioner.intValue());
        }
        Node.MapNode b = mapping(f.get("backoff"), "a mapping with initial, max and multiplier");
        if (b != null) {
            Map<String, Node> bf = fields(b, BACKOFF);
            Duration initial = duration(bf.get("initial"), true);
            Duration max = duration(bf.get("max"), true);
            Double multiplier = decimal(bf.get("multiplier"), 1, false);
            Duration i = initial != null ? initial : policy.initialBackoff();
            Duration x = max != null ? max : policy.maxBackoff();
            if (i.compareTo(x) > 0) {
                problems.add(Messages.backoffOrder(site(b), Durations.format(i), Durations.format(x)));
            } else {
                policy = new RetryPolicy(policy.attempts(), i, x,
                        multiplier != null ? multiplier : policy.multiplier());
            }
        }
        return policy;
    }

    // --- targets

    private List<PlanDraft.TargetDraft> targets(Node node) {
        if (node == null) {
            return List.of();
        }
        if (unreadable(node)) {
            return null;
        }
        if (!(node instanceof Node.ListNode list)) {
            problems.add(Messages.wrongType(site(node), scalarText(node), node.kind(),
                    "a list of targets, each with provider, account and regions"));
            return null;
        }
        List<PlanDraft.TargetDraft> out = new ArrayList<>();
        for (Node item : list.items()) {
            if (item instanceof Node.MapNode m) {
                PlanDraft.TargetDraft t = target(m);
                if (t != null) {
                    out.add(t);
                    continue;
                }
            } else if (!unreadable(item)) {
                problems.add(Messages.wrongType(site(item), scalarText(item), item.kind(),
                        "a target: a mapping with provider, account and regions"));
            }
            targetsIncomplete = true;
        }
        return out;
    }

    private PlanDraft.TargetDraft target(Node.MapNode m) {
        Map<String, Node> f = fields(m, TARGET);
        String provider = requiredText(m, f, "provider", "a provider id: aws, azure, gcp, vsphere or your own");
        String account = account(m, f.get("account"));
        List<String> regions;
        Node region = f.get("region");
        Node many = f.get("regions");
        if (region != null && many != null) {
            problems.add(Messages.regionAndRegions(site(many)));
            regions = null;
        } else if (region != null) {
            String r = text(region, "text, e.g. region: us-east-1");
            regions = r == null ? null : List.of(r);
        } else if (many != null) {
            regions = texts(many, "[us-east-1, eu-west-1]");
        } else {
            if (!suggested.contains(Node.child(m.path(), "region"))) {
                missing(m, "regions", "region: or regions:, e.g. regions: [us-east-1, eu-west-1]");
            }
            regions = null;
        }
        List<String> custom = orEmpty(texts(f.get("custom_regions"), "[ap-southeast-7]"));
        Map<String, String> options = textMap(f.get("options"), "a mapping of option name to text");
        Map<String, LimitSpec> limits = limits(f.get("limits"));
        PlanDraft.Inputs inputs = inputs(f, m);
        if (provider == null || account == null) {
            return null;
        }
        return new PlanDraft.TargetDraft(provider, account, regions, options == null ? Map.of() : options, limits,
                Sites.of(m), custom, inputs);
    }

    private String account(Node.MapNode target, Node node) {
        String what = "the account: AWS account id, Azure subscription id, GCP project id or vCenter name";
        if (node == null) {
            missing(target, "account", what);
            return null;
        }
        if (unreadable(node)) {
            return null;
        }
        if (node instanceof Node.Scalar s && s.type() == Node.Scalar.Type.NUMBER) {
            problems.add(Messages.accountNotText(site(s), s.text()));
            return null;
        }
        String text = text(node, "text in quotes");
        return text == null ? null : interpolate((Node.Scalar) node, text, false);
    }

    private Map<String, LimitSpec> limits(Node node) {
        Map<String, LimitSpec> out = new LinkedHashMap<>();
        Node.MapNode m = mapping(node, "a mapping of limit name to limit, e.g. RunInstances: { capacity: 5,"
                + " refill_per_second: 2 }");
        if (m == null) {
            return out;
        }
        for (var e : m.entries().entrySet()) {
            Node.MapNode spec = mapping(e.getValue(), "a limit such as { capacity: 5, refill_per_second: 2 },"
                    + " { limit: 1000, window: 1m } or { max_cost: 8 }");
            if (spec == null) {
                continue;
            }
            LimitSpec limit = limit(spec);
            if (limit != null) {
                out.put(e.getKey(), limit);
            }
        }
        return out;
    }

    private LimitSpec limit(Node.MapNode m) {
        boolean unknownKeys = !LIMIT.containsAll(m.entries().keySet());
        Map<String, Node> f = fields(m, LIMIT);
        Set<String> keys = f.keySet();
        if (keys.equals(Set.of("capacity", "refill_per_second"))) {
            Long capacity = whole(f.get("capacity"), 1, MAX_COUNT);
            Double refill = decimal(f.get("refill_per_second"), 0, true);
            return capacity == null || refill == null ? null : LimitSpec.tokenBucket(capacity, refill);
        }
        if (keys.equals(Set.of("limit", "window"))) {
            Long limit = whole(f.get("limit"), 1, MAX_COUNT);
            Duration window = duration(f.get("window"), false);
            return limit == null || window == null ? null : LimitSpec.fixedWindow(limit, window);
        }
        if (keys.equals(Set.of("max_cost"))) {
            Long max = whole(f.get("max_cost"), 1, MAX_COUNT);
            return max == null ? null : LimitSpec.concurrency(max);
        }
        if (!unknownKeys) {
            problems.add(Messages.limitShape(site(m), keys));
        }
        return null;
    }

    // --- images

    private List<PlanDraft.ImageDraft> images(Node node) {
        if (node == null) {
            return List.of();
        }
        if (unreadable(node)) {
            return null;
        }
        if (!(node instanceof Node.ListNode list)) {
            problems.add(Messages.wrongType(site(node), scalarText(node), node.kind(),
                    "a list of images, each with name, template and builder"));
            return null;
        }
        List<PlanDraft.ImageDraft> out = new ArrayList<>();
        for (Node item : list.items()) {
            if (item instanceof Node.MapNode m) {
                PlanDraft.ImageDraft image = image(m);
                if (image != null) {
                    out.add(image);
                    continue;
                }
            } else if (!unreadable(item)) {
                problems.add(Messages.wrongType(site(item), scalarText(item), item.kind(),
                        "an image: a mapping with name, template and builder"));
            }
            imagesIncomplete = true;
        }
        return out;
    }

    private PlanDraft.ImageDraft image(Node.MapNode m) {
        Map<String, Node> f = fields(m, IMAGE);
        String name = requiredText(m, f, "name", "the image's name, e.g. name: ubuntu-base");
        String template = requiredText(m, f, "template", "the packer template's path, relative to the plan file");
        String builder = isNullBuilder(m.entries().get("builder")) ? "null"
                : requiredText(m, f, "builder", "the packer builder type, e.g. builder: amazon-ebs");
        String only = text(f.get("only"), "text: the build's name in the template");
        String instance = text(f.get("instance"), "text, e.g. t3.medium");
        Long vcpus = whole(f.get("vcpus"), 1, 4096);
        Long diskGb = whole(f.get("disk_gb"), 1, 65_536);
        List<String> providers = orEmpty(texts(f.get("providers"), "[aws]"));
        List<String> environments = orEmpty(texts(f.get("environments"), "[prod]"));
        Long priority = whole(f.get("priority"), -MAX_COUNT, MAX_COUNT);
        Duration timeout = duration(f.get("timeout"), false);
        Duration expected = duration(f.get("expected"), false);
        String naming = text(f.get("naming"), "a name template such as \"{image}-{region}\"");
        List<String> sensitive = orEmpty(texts(f.get("sensitive"), "[db_password]"));
        Map<String, Object> variables = variables(f.get("variables"), Set.copyOf(sensitive));
        List<Path> varFiles = varFiles(f.get("var_files"));
        List<String> dependsOn = orEmpty(texts(f.get("depends_on"), "[base-image]"));
        Map<String, String> variablesMap = variablesMap(f.get("variables_map"));
        List<String> setFields = roles(f.get("set_fields"));
        Path templatePath = template == null ? null : templatePath(f.get("template"), template);
        if (name == null || templatePath == null || builder == null) {
            return null;
        }
        ImageSpec spec = new ImageSpec(name, templatePath, builder, only, instance, new LinkedHashMap<>(variables),
                new LinkedHashSet<>(sensitive), null, new LinkedHashSet<>(providers),
                priority == null ? 0 : priority.intValue(), timeout, expected, dependsOn,
                diskGb == null ? 8 : diskGb.intValue(), vcpus == null ? null : vcpus.intValue(), varFiles,
                variablesMap, new LinkedHashSet<>(setFields), null, m.at());
        return new PlanDraft.ImageDraft(spec, naming, environments, template, Sites.of(m));
    }

    /** {@code variables_map: { region: aws_region, ... }}: role key to template variable. */
    private Map<String, String> variablesMap(Node node) {
        Map<String, String> out = new LinkedHashMap<>();
        Node.MapNode m = mapping(node, "a mapping of what Kiln sets (region, image_name, build_id, instance) to the"
                + " template's variable, e.g. variables_map: { region: aws_region, image_name: ami_name }");
        if (m == null) {
            return out;
        }
        List<String> roles = java.util.Arrays.stream(dev.kiln.plan.Connection.Role.values())
                .map(dev.kiln.plan.Connection.Role::key).toList();
        for (var e : m.entries().entrySet()) {
            if (!roles.contains(e.getKey())) {
                problems.add(Messages.unknownKey(new Site(m.keys().get(e.getKey()), e.getValue().path()), e.getKey(),
                        roles));
                continue;
            }
            String variable = text(e.getValue(), "the name of a variable of the template, e.g. aws_region");
            if (variable != null) {
                out.put(e.getKey(), variable);
            }
        }
        return out;
    }

    /** {@code set_fields: [region, image_name, build_id, instance]}. */
    private List<String> roles(Node node) {
        List<String> written = orEmpty(texts(node, "[region, image_name, build_id]"));
        List<String> roles = java.util.Arrays.stream(dev.kiln.plan.Connection.Role.values())
                .map(dev.kiln.plan.Connection.Role::key).toList();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            String role = written.get(i);
            if (roles.contains(role)) {
                out.add(role);
            } else {
                problems.add(Messages.badFormat(site(((Node.ListNode) node).items().get(i)), role,
                        Suggest.closest(role, roles).map(r -> "did you mean '" + r + "'? ").orElse("")
                                + "what Kiln writes into the builder: " + String.join(", ", roles)));
            }
        }
        return out;
    }

    /** {@code builder: null} is YAML's null literal, but whoever writes it means packer's null builder. */
    private static boolean isNullBuilder(Node node) {
        return node instanceof Node.Scalar s && s.isNull() && s.text().equalsIgnoreCase("null");
    }

    private Path templatePath(Node node, String written) {
        try {
            return baseDir.resolve(Path.of(written)).normalize();
        } catch (InvalidPathException e) {
            problems.add(Messages.badPath(site(node), written));
            return null;
        }
    }

    /**
     * Template variables: text (numbers and bools kept as written: {@code 1.30} stays {@code 1.30}, and
     * packer converts text to a number or bool variable), lists and maps of these for HCL2's
     * {@code list(...)}, {@code map(...)} and {@code object(...)} variables.
     */
    private Map<String, Object> variables(Node node, Set<String> sensitive) {
        Map<String, Object> out = new LinkedHashMap<>();
        Node.MapNode m = mapping(node, "a mapping of variable name to value");
        if (m == null) {
            return out;
        }
        for (var e : m.entries().entrySet()) {
            boolean secret = sensitive.contains(e.getKey());
            Node value = e.getValue();
            if (unreadable(value)) {
                continue;
            }
            if (secret && !(value instanceof Node.Scalar)) {
                problems.add(Messages.wrongType(site(value), null, value.kind(), "text: a sensitive value is one"
                        + " piece of text"));
                continue;
            }
            Object v = value(value, secret);
            if (v != null) {
                out.put(e.getKey(), v);
            }
        }
        return out;
    }

    /** A variable's value: text, or a list or mapping of values; null when unreadable (reported). */
    private Object value(Node node, boolean secret) {
        if (node instanceof Node.Scalar s && !s.isNull() && !s.isInvalid()) {
            return interpolate(s, s.text(), secret);
        }
        if (node instanceof Node.ListNode l) {
            List<Object> out = new ArrayList<>();
            for (Node item : l.items()) {
                Object v = value(item, false);
                if (v == null) {
                    return null;
                }
                out.add(v);
            }
            return out;
        }
        if (node instanceof Node.MapNode m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (var e : m.entries().entrySet()) {
                Object v = value(e.getValue(), false);
                if (v == null) {
                    return null;
                }
                out.put(e.getKey(), v);
            }
            return out;
        }
        if (!unreadable(node)) {
            problems.add(Messages.wrongType(site(node), null, node.kind(), "text, or a list or mapping of values"));
        }
        return null;
    }

    /**
     * Replaces every {@code ${env:NAME}} in {@code text} from the context's environment; null when
     * a reference is malformed or unset (each reported). For a secret, only the references are
     * shown in messages: everything written around them is masked.
     */
    private String interpolate(Node.Scalar node, String text, boolean secret) {
        if (secret) {
            literalParts(text).forEach(problems::secret);
        }
        String shown = secret ? maskAroundReferences(text) : text;
        StringBuilder out = new StringBuilder();
        boolean ok = true;
        boolean unsetSecret = false;
        int i = 0;
        while (true) {
            int start = text.indexOf(ENV_OPEN, i);
            if (start < 0) {
                out.append(text, i, text.length());
                break;
            }
            int end = text.indexOf('}', start);
            if (end < 0) {
                problems.add(Messages.envBadReference(site(node), shown));
                return null;
            }
            String name = text.substring(start + ENV_OPEN.length(), end);
            if (!ENV_NAME.matcher(name).matches()) {
                problems.add(Messages.envBadReference(site(node), shown));
                ok = false;
            } else if (ctx.env().get(name) == null && secret && ctx.secretsOptional()) {
                // Planning without the secrets: the value is left empty, never half known.
                unsetSecret = true;
            } else if (ctx.env().get(name) == null) {
                problems.add(Messages.envUnset(site(node), shown, name));
                ok = false;
            } else {
                out.append(text, i, start).append(ctx.env().get(name));
            }
            i = end + 1;
        }
        if (ok && unsetSecret) {
            return "";
        }
        if (ok && secret) {
            problems.secret(out.toString());
        }
        return ok ? out.toString() : null;
    }

    /** What is written around the well-formed references; all of it when one is malformed. */
    private static List<String> literalParts(String text) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int start = text.indexOf(ENV_OPEN, i);
            int end = start < 0 ? -1 : text.indexOf('}', start);
            if (end < 0 || !ENV_NAME.matcher(text.substring(start + ENV_OPEN.length(), end)).matches()) {
                return List.of(text);
            }
            if (start > i) {
                parts.add(text.substring(i, start));
            }
            i = end + 1;
        }
        return parts;
    }

    private static String maskAroundReferences(String text) {
        StringBuilder shown = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int start = text.indexOf(ENV_OPEN, i);
            int end = start < 0 ? -1 : text.indexOf('}', start);
            boolean wellFormed = end > 0 && ENV_NAME.matcher(text.substring(start + ENV_OPEN.length(), end)).matches();
            if (!wellFormed) {
                shown.append(Problems.MASK);
                break;
            }
            if (start > i) {
                shown.append(Problems.MASK);
            }
            shown.append(text, start, end + 1);
            i = end + 1;
        }
        return shown.toString();
    }

    // --- typed access, each reporting what it cannot read

    /** The entries of {@code m} that are allowed and not null; unknown keys are reported. */
    private Map<String, Node> fields(Node.MapNode m, List<String> allowed) {
        Map<String, Node> out = new LinkedHashMap<>();
        for (var e : m.entries().entrySet()) {
            String key = e.getKey();
            Node value = e.getValue();
            if (!allowed.contains(key)) {
                problems.add(Messages.unknownKey(new Site(m.keys().get(key), value.path()), key, allowed));
                Suggest.closest(key, allowed).ifPresent(k -> suggested.add(Node.child(m.path(), k)));
            } else if (!(value instanceof Node.Scalar s && s.isNull())) {
                out.put(key, value);
            }
        }
        return out;
    }

    private Node.MapNode mapping(Node node, String expected) {
        if (node == null || unreadable(node)) {
            return null;
        }
        if (node instanceof Node.MapNode m) {
            return m;
        }
        problems.add(Messages.wrongType(site(node), scalarText(node), node.kind(), expected));
        return null;
    }

    /** Reports {@code key} of {@code m} missing, unless an unknown key was already suggested to be it. */
    private void missing(Node.MapNode m, String key, String what) {
        if (!suggested.contains(Node.child(m.path(), key))) {
            problems.add(Messages.required(missing(m, key), what));
        }
    }

    private String requiredText(Node.MapNode m, Map<String, Node> f, String key, String what) {
        Node node = f.get(key);
        if (node == null) {
            missing(m, key, what);
            return null;
        }
        String text = text(node, "text");
        if (text != null && text.isBlank()) {
            problems.add(Messages.required(site(node), what));
            return null;
        }
        return text;
    }

    private String text(Node node, String expected) {
        if (node == null || unreadable(node)) {
            return null;
        }
        if (node instanceof Node.Scalar s && !s.isNull()) {
            return s.text();
        }
        problems.add(Messages.wrongType(site(node), null, node.kind(), expected));
        return null;
    }

    private Long whole(Node node, long min, long max) {
        if (node == null || unreadable(node)) {
            return null;
        }
        if (!(node instanceof Node.Scalar s)) {
            problems.add(Messages.wrongType(site(node), null, node.kind(), "a whole number"));
            return null;
        }
        try {
            long v = Long.parseLong(s.text().strip());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below, with the range
        }
        problems.add(Messages.notWhole(site(s), s.text(), min, max));
        return null;
    }

    private Double decimal(Node node, double min, boolean exclusive) {
        if (node == null || unreadable(node)) {
            return null;
        }
        if (!(node instanceof Node.Scalar s)) {
            problems.add(Messages.wrongType(site(node), null, node.kind(), "a number"));
            return null;
        }
        double v;
        try {
            v = Double.parseDouble(s.text().strip());
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        boolean ok = Double.isFinite(v) && (exclusive ? v > min : v >= min);
        if (ok) {
            return v;
        }
        problems.add(exclusive ? Messages.notPositiveNumber(site(s), s.text()) : Messages.notAtLeast(site(s), s.text(), min));
        return null;
    }

    private Duration duration(Node node, boolean zeroAllowed) {
        if (node == null || unreadable(node)) {
            return null;
        }
        if (!(node instanceof Node.Scalar s)) {
            problems.add(Messages.wrongType(site(node), null, node.kind(), Durations.ALLOWED));
            return null;
        }
        Optional<Duration> d = Durations.parse(s.text());
        if (d.isEmpty()) {
            problems.add(Messages.badDuration(site(s), s.text()));
            return null;
        }
        if (d.get().isNegative()) {
            problems.add(zeroAllowed ? Messages.durationNegative(site(s), s.text())
                    : Messages.durationNotPositive(site(s), s.text()));
            return null;
        }
        if (d.get().isZero() && !zeroAllowed) {
            problems.add(Messages.durationNotPositive(site(s), s.text()));
            return null;
        }
        return d.get();
    }

    /** The texts of a list, or null when it is not a list of texts (reported). */
    private List<String> texts(Node node, String example) {
        if (node == null || unreadable(node)) {
            return null;
        }
        if (!(node instanceof Node.ListNode list)) {
            String written = scalarText(node);
            problems.add(Messages.wrongType(site(node), written, node.kind(),
                    "a list, e.g. " + (written == null ? example : "[" + written + "]")));
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (Node item : list.items()) {
            String t = text(item, "text");
            if (t == null) {
                ok = false;
            } else {
                out.add(t);
            }
        }
        return ok ? out : null;
    }

    private Map<String, String> textMap(Node node, String expected) {
        Node.MapNode m = mapping(node, expected);
        if (m == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : m.entries().entrySet()) {
            Node value = e.getValue();
            if (unreadable(value)) {
                continue;
            }
            if (value instanceof Node.Scalar s && !s.isNull()) {
                String resolved = interpolate(s, s.text(), false);
                if (resolved != null) {
                    out.put(e.getKey(), resolved);
                }
            } else {
                problems.add(Messages.wrongType(site(value), null, value.kind(), "text"));
            }
        }
        return out;
    }

    /** A value already reported as unreadable (a YAML alias): every accessor skips it quietly. */
    private static boolean unreadable(Node node) {
        return node instanceof Node.Scalar s && s.isInvalid();
    }

    private static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }

    private static String scalarText(Node node) {
        return node instanceof Node.Scalar s && !s.isNull() ? s.text() : null;
    }

    private static Site site(Node node) {
        return new Site(node.at(), node.path().isEmpty() ? Sites.TOP : node.path());
    }

    private static Site missing(Node.MapNode parent, String key) {
        return new Site(parent.at(), Node.child(parent.path(), key));
    }
}
