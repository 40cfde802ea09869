package dev.kiln.emulators.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.gcp.GceResources.Address;
import dev.kiln.emulators.gcp.GceResources.Attached;
import dev.kiln.emulators.gcp.GceResources.Disk;
import dev.kiln.emulators.gcp.GceResources.Image;
import dev.kiln.emulators.gcp.GceResources.Instance;
import dev.kiln.emulators.gcp.GceResources.Operation;
import dev.kiln.emulators.gcp.GceResources.Project;
import dev.kiln.time.TimeSource;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every project of one emulator: images (global), instances, disks and operations (zonal),
 * addresses and operations (regional), with what they share: ids, links, operations, lookups and
 * label checks. One lock (this object) guards all of it; the resource families ({@link Instances},
 * {@link Disks}, {@link Images}, {@link Addresses}, {@link Quotas}) work under it. Time moves
 * resources lazily: every entry point first drops what finished being deleted by now.
 */
final class GceWorld {

    static final String BASE = "https://www.googleapis.com/compute/v1/projects/";
    static final String LABEL_PATTERN_KEY = "[a-z][a-z0-9_-]{0,62}";
    static final String LABEL_PATTERN_VALUE = "[a-z0-9_-]{0,63}";
    /** What may come before {@code projects/...} in a resource reference: a full URL, or nothing. */
    static final String URL_PREFIX = "(?:https?://[^/]+/(?:compute/(?:v1|beta)/)?)?";
    static final Pattern NAME = Pattern.compile("[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?");

    /** Public image projects and their images: name, family, size. Read-only for everyone. */
    private static final Map<String, List<String[]>> PUBLIC_IMAGES = Map.of(
            "debian-cloud", List.of(
                    new String[] {"debian-11-bullseye-v20251211", "debian-11", "10"},
                    new String[] {"debian-12-bookworm-v20251211", "debian-12", "10"},
                    new String[] {"debian-12-bookworm-v20260114", "debian-12", "10"}),
            "ubuntu-os-cloud", List.of(
                    new String[] {"ubuntu-2204-jammy-v20260110", "ubuntu-2204-lts", "10"},
                    new String[] {"ubuntu-2404-noble-amd64-v20260110", "ubuntu-2404-lts-amd64", "10"}));

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx",
            Locale.ROOT).withZone(ZoneOffset.UTC);

    final GceConfig config;
    final TimeSource time;
    final ObjectMapper json = new ObjectMapper();
    private final Map<String, Project> projects = new LinkedHashMap<>();
    /** The highest usage each quota reached since start or reset, by project (and region) and metric. */
    final Map<String, Double> peaks = new java.util.HashMap<>();
    private SplittableRandom random;
    private int addressCounter;

    GceWorld(GceConfig config) {
        this.config = config;
        this.time = config.time();
        this.random = new SplittableRandom(config.seed());
    }

    // ------------------------------------------------------------------ projects, ids, time

    /** Runs {@code work} under the lock that guards every project. */
    synchronized <T> T locked(Supplier<T> work) {
        return work.get();
    }

    /** The project named {@code id} if anyone has used it; null otherwise. */
    synchronized Project known(String id) {
        return projects.get(id);
    }

    synchronized Project project(String id) {
        Project p = projects.get(id);
        if (p == null) {
            p = new Project(id, projectNumber(id), PUBLIC_IMAGES.containsKey(id));
            projects.put(id, p);
            List<String[]> publicImages = PUBLIC_IMAGES.get(id);
            if (publicImages != null) {
                Instant released = Instant.parse("2026-01-14T00:00:00Z");
                for (String[] img : publicImages) {
                    p.images.put(img[0], new Image(id, img[0], stableId(id + "/" + img[0]), img[1],
                            Long.parseLong(img[2]), null, img[0], released, Long.MIN_VALUE, Map.of()));
                }
            }
        }
        return p;
    }

    synchronized void reset() {
        projects.clear();
        peaks.clear();
        random = new SplittableRandom(config.seed());
        addressCounter = 0;
    }

    static long projectNumber(String project) {
        return 100_000_000_000L + Math.floorMod(stableId(project), 900_000_000_000L);
    }

    private static long stableId(String seed) {
        long h = 1125899906842597L;
        for (int i = 0; i < seed.length(); i++) {
            h = 31 * h + seed.charAt(i);
        }
        return Math.floorMod(h, 8_000_000_000_000_000_000L) + 1_000_000_000_000_000_000L;
    }

    long newId() {
        return 1_000_000_000_000_000_000L + Math.floorMod(random.nextLong(), 8_000_000_000_000_000_000L);
    }

    private String operationName() {
        long millis = time.now().toEpochMilli();
        return String.format(Locale.ROOT, "operation-%d-%013x-%08x-%08x", millis, random.nextLong() & 0xfffffffffffffL,
                random.nextInt(), random.nextInt());
    }

    long nanos() {
        return time.nanoTime();
    }

    Instant now() {
        return time.now();
    }

    String timestamp(Instant t) {
        return TIMESTAMP.format(t);
    }

    /** Drops what finished being deleted, releasing disks their instances held. */
    synchronized void tick() {
        long now = nanos();
        for (Project p : projects.values()) {
            for (Iterator<Instance> it = p.instances.values().iterator(); it.hasNext();) {
                Instance i = it.next();
                if (i.deleteAt >= 0 && now >= i.deleteAt) {
                    it.remove();
                    for (Attached a : i.disks) {
                        Disk d = p.disks.get(diskKey(i.zone, a.disk()));
                        if (d == null) {
                            continue;
                        }
                        if (a.autoDelete()) {
                            p.disks.remove(diskKey(i.zone, a.disk()));
                        } else {
                            d.user = null;
                        }
                    }
                }
            }
            p.disks.values().removeIf(d -> d.deleteAt >= 0 && now >= d.deleteAt);
            p.images.values().removeIf(img -> img.deleteAt >= 0 && now >= img.deleteAt);
            p.addresses.values().removeIf(a -> a.deleteAt >= 0 && now >= a.deleteAt);
        }
    }

    static String instanceKey(String zone, String name) {
        return zone + "/" + name;
    }

    static String diskKey(String zone, String name) {
        return zone + "/" + name;
    }

    // ------------------------------------------------------------------ links

    static String zoneUrl(String project, String zone) {
        return BASE + project + "/zones/" + zone;
    }

    static String regionUrl(String project, String region) {
        return BASE + project + "/regions/" + region;
    }

    static String instanceUrl(String project, String zone, String name) {
        return zoneUrl(project, zone) + "/instances/" + name;
    }

    static String diskUrl(String project, String zone, String name) {
        return zoneUrl(project, zone) + "/disks/" + name;
    }

    static String imageUrl(String project, String name) {
        return BASE + project + "/global/images/" + name;
    }

    static String machineTypeUrl(String project, String zone, String name) {
        return zoneUrl(project, zone) + "/machineTypes/" + name;
    }

    static String path(String project, String rest) {
        return "projects/" + project + "/" + rest;
    }

    static String lastSegment(String url) {
        int slash = url.lastIndexOf('/');
        return slash < 0 ? url : url.substring(slash + 1);
    }

    // ------------------------------------------------------------------ rendering

    ObjectNode render(Operation op) {
        long now = nanos();
        String status = op.status(now);
        ObjectNode n = json.createObjectNode()
                .put("kind", "compute#operation")
                .put("id", Long.toString(op.id))
                .put("name", op.name)
                .put("operationType", op.type)
                .put("targetLink", op.targetLink)
                .put("targetId", Long.toString(op.targetId))
                .put("status", status)
                .put("user", "kiln-emulator@" + op.project + ".iam.gserviceaccount.com")
                .put("progress", status.equals("DONE") ? 100 : status.equals("RUNNING") ? 50 : 0)
                .put("insertTime", timestamp(op.inserted));
        if (!status.equals("PENDING")) {
            n.put("startTime", timestamp(op.inserted.plusNanos(op.startAt - op.createdAt)));
        }
        String base = BASE + op.project + "/";
        switch (op.scope) {
            case "zones" -> {
                n.put("zone", zoneUrl(op.project, op.location));
                n.put("selfLink", base + "zones/" + op.location + "/operations/" + op.name);
            }
            case "regions" -> {
                n.put("region", regionUrl(op.project, op.location));
                n.put("selfLink", base + "regions/" + op.location + "/operations/" + op.name);
            }
            default -> n.put("selfLink", base + "global/operations/" + op.name);
        }
        if (status.equals("DONE")) {
            n.put("endTime", timestamp(op.inserted.plusNanos(op.doneAt - op.createdAt)));
            if (op.error != null) {
                n.set("error", op.error);
                n.put("httpErrorStatusCode", op.httpErrorStatusCode);
                n.put("httpErrorMessage", op.httpErrorMessage);
            }
        }
        return n;
    }

    /** The fingerprint of a set of labels (the same labels in any order give the same one). */
    static String fingerprint(Map<String, String> labels) {
        return fingerprintOf(new TreeMap<>(labels));
    }

    /**
     * Eight bytes of a SHA-256 of {@code state}'s text, in base64 as Compute Engine's fingerprints
     * are (e.g. {@code 42WmSpB8rSM=}): clients decode them (gcloud fails on one that is not base64)
     * and send them back to change what they fingerprint.
     */
    static String fingerprintOf(Object state) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(String.valueOf(state).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(digest, 8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The fields a list filter sees for a resource. */
    static Function<String, String> fields(ObjectNode rendered) {
        return field -> {
            if (field.startsWith("labels.")) {
                JsonNode v = rendered.path("labels").get(field.substring("labels.".length()));
                return v == null ? null : v.asText();
            }
            JsonNode v = rendered.get(field);
            if (v == null || v.isContainerNode()) {
                return null;
            }
            String text = v.asText();
            return field.equals("zone") || field.equals("region") || field.equals("machineType")
                    ? lastSegment(text) : text;
        };
    }

    // ------------------------------------------------------------------ operations

    private ObjectNode quotaError(String message, String metric, String region) {
        ObjectNode error = json.createObjectNode();
        ObjectNode e = error.putArray("errors").addObject().put("code", "QUOTA_EXCEEDED").put("message", message);
        ObjectNode info = e.putArray("errorDetails").addObject().putObject("quotaInfo")
                .put("metricName", "compute.googleapis.com/" + metric.toLowerCase(Locale.ROOT))
                .put("limitName", metric + (region == null ? "-per-project" : "-per-project-region"));
        if (region != null) {
            info.putObject("dimensions").put("region", region);
        }
        return error;
    }

    private static String metricOf(String quotaMessage) {
        Matcher m = Pattern.compile("Quota '([A-Z0-9_]+)'").matcher(quotaMessage);
        return m.find() ? m.group(1) : "QUOTA";
    }

    /** A new operation on {@code p}, PENDING for the configured while, then RUNNING until {@code doneAt}. */
    Operation operation(Project p, String scope, String location, String type, String targetLink,
            long targetId, long doneAt) {
        long now = nanos();
        long startAt = now + config.delays().operationPending().toNanos();
        Operation op = new Operation(p.id, scope, location, operationName(), newId(), type, targetLink, targetId,
                now(), now, startAt, Math.max(startAt, doneAt));
        p.operations.put(op.key(), op);
        return op;
    }

    /** A new operation that failed on a quota: DONE with Compute Engine's QUOTA_EXCEEDED error. */
    Operation failed(Project p, String scope, String location, String type, String targetLink,
            String quotaMessage, String region) {
        Operation op = operation(p, scope, location, type, targetLink, 0, 0);
        op.error = quotaError(quotaMessage, metricOf(quotaMessage), region);
        op.httpErrorStatusCode = 403;
        op.httpErrorMessage = "FORBIDDEN";
        return op;
    }

    /** When a change that takes {@code delay} once its operation runs is done. */
    long changeDone(java.time.Duration delay) {
        return nanos() + config.delays().operationPending().toNanos() + delay.toNanos();
    }

    synchronized Operation findOperation(String project, String scope, String location, String name) {
        Operation op = project(project).operations.get(Operation.key(scope, location, name));
        if (op == null) {
            String where = scope.equals("global") ? "global" : scope + "/" + location;
            throw GceError.notFound(path(project, where + "/operations/" + name));
        }
        return op;
    }

    /** Every operation of {@code project}, oldest first, rendered as it stands now. */
    synchronized List<ObjectNode> operations(String project) {
        List<ObjectNode> out = new ArrayList<>();
        for (Operation op : project(project).operations.values()) {
            out.add(render(op));
        }
        return out;
    }

    /** The outcome of an insert: the operation, and whether a quota refused it. */
    record Inserted(Operation operation, boolean quotaExceeded) {
    }

    // ------------------------------------------------------------------ lookups, each answering notFound

    String nextNatIp() {
        int n = addressCounter++;
        return "34." + (74 + (n >> 16 & 63)) + "." + (n >> 8 & 255) + "." + (n & 255);
    }

    synchronized Instance instance(String project, String zone, String name) {
        tick();
        Instance i = project(project).instances.get(instanceKey(zone, name));
        if (i == null) {
            throw GceError.notFound(path(project, "zones/" + zone + "/instances/" + name));
        }
        return i;
    }

    synchronized Disk disk(String project, String zone, String name) {
        tick();
        Disk d = project(project).disks.get(diskKey(zone, name));
        if (d == null) {
            throw GceError.notFound(path(project, "zones/" + zone + "/disks/" + name));
        }
        return d;
    }

    synchronized Image image(String project, String name) {
        tick();
        Image img = project(project).images.get(name);
        if (img == null) {
            throw GceError.notFound(path(project, "global/images/" + name));
        }
        return img;
    }

    synchronized Address address(String project, String region, String name) {
        tick();
        Address a = project(project).addresses.get(region + "/" + name);
        if (a == null) {
            throw GceError.notFound(path(project, "regions/" + region + "/addresses/" + name));
        }
        return a;
    }

    // ------------------------------------------------------------------ tags, for the admin API and tests

    synchronized List<TaggedResource> resourcesTagged(String key, String value) {
        tick();
        long now = nanos();
        List<TaggedResource> out = new ArrayList<>();
        for (Project p : projects.values()) {
            for (Instance i : p.instances.values()) {
                if (value.equals(i.labels.get(key))) {
                    out.add(new TaggedResource(GceEmulator.PROVIDER, p.id, i.zone, "instance", i.name, i.status(now),
                            i.labels));
                }
            }
            for (Disk d : p.disks.values()) {
                if (value.equals(d.labels.get(key))) {
                    out.add(new TaggedResource(GceEmulator.PROVIDER, p.id, d.zone, "disk", d.name, d.status(now),
                            d.labels));
                }
            }
            for (Image img : p.images.values()) {
                if (value.equals(img.labels.get(key))) {
                    out.add(new TaggedResource(GceEmulator.PROVIDER, p.id, "global", "image", img.name,
                            img.status(now), img.labels));
                }
            }
        }
        return List.copyOf(out);
    }

    // ------------------------------------------------------------------ validation helpers

    /** The project, unless it is a public image project nobody may change. */
    Project writable(String project) {
        Project p = project(project);
        if (p.readOnly) {
            throw GceError.forbidden("compute.images.create", "projects/" + project);
        }
        return p;
    }

    static String requireName(JsonNode body, String field) {
        String name = body.path("name").asText("");
        if (!NAME.matcher(name).matches()) {
            throw GceError.invalid("Invalid value for field '" + field + "': '" + name
                    + "'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'");
        }
        return name;
    }

    /**
     * The labels a {@code setLabels} body sets over {@code current}: when it names a
     * {@code labelFingerprint}, that must be the current one (412 {@code conditionNotMet} otherwise,
     * as Compute Engine answers a client that read the labels before someone changed them).
     */
    static Map<String, String> relabel(Map<String, String> current, JsonNode body) {
        JsonNode given = body.path("labelFingerprint");
        if (given.isTextual() && !given.asText().equals(fingerprint(current))) {
            throw GceError.conditionNotMet("Labels fingerprint either invalid or resource labels have changed");
        }
        return labels(body.path("labels"), "labels");
    }

    static Map<String, String> labels(JsonNode node, String field) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw GceError.invalid("Invalid value for field '" + field + "': '" + node + "'. Labels must be a map.");
        }
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String k = e.getKey();
            String v = e.getValue().asText("");
            if (!k.matches(LABEL_PATTERN_KEY)) {
                throw GceError.invalid("Invalid value for field '" + field + "': ''. Label key '" + k
                        + "' violates format constraints. The key must start with a lowercase character, can only"
                        + " contain lowercase letters, numeric characters, underscores and dashes. The key can be at"
                        + " most 63 characters long. International characters are allowed.");
            }
            if (!v.matches(LABEL_PATTERN_VALUE)) {
                throw GceError.invalid("Invalid value for field '" + field + "': ''. Label value '" + v
                        + "' violates format constraints. The value can only contain lowercase letters, numeric"
                        + " characters, underscores and dashes. The value can be at most 63 characters long."
                        + " International characters are allowed.");
            }
            out.put(k, v);
        }
        return out;
    }
}
