package dev.kiln.testkit.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.testkit.TaggedResource;
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
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every project of one emulator: images (global), instances, disks and operations (zonal),
 * addresses and operations (regional). One lock (this object) guards all of it. Time moves
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
    private final Map<String, Double> peaks = new java.util.HashMap<>();
    private SplittableRandom random;
    private int addressCounter;

    GceWorld(GceConfig config) {
        this.config = config;
        this.time = config.time();
        this.random = new SplittableRandom(config.seed());
    }

    // ------------------------------------------------------------------ resources

    static final class Project {
        final String id;
        final long number;
        final boolean readOnly;
        final Map<String, Image> images = new LinkedHashMap<>();
        final Map<String, Instance> instances = new LinkedHashMap<>();
        final Map<String, Disk> disks = new LinkedHashMap<>();
        final Map<String, Address> addresses = new LinkedHashMap<>();
        final Map<String, Operation> operations = new LinkedHashMap<>();

        Project(String id, long number, boolean readOnly) {
            this.id = id;
            this.number = number;
            this.readOnly = readOnly;
        }
    }

    static final class Instance {
        final String project;
        final String zone;
        final String name;
        final long id;
        final MachineTypes.Type type;
        final Instant created;
        final List<Attached> disks = new ArrayList<>();
        final boolean externalIp;
        final String natIp;
        final String internalIp;
        final String description;
        final JsonNode metadata;
        Map<String, String> labels;
        long provisionedAt;
        long runningAt;
        long stopAt = -1;
        long stoppedAt = -1;
        long deleteAt = -1;

        Instance(String project, String zone, String name, long id, MachineTypes.Type type, Instant created,
                boolean externalIp, String natIp, String internalIp, String description, JsonNode metadata,
                Map<String, String> labels) {
            this.project = project;
            this.zone = zone;
            this.name = name;
            this.id = id;
            this.type = type;
            this.created = created;
            this.externalIp = externalIp;
            this.natIp = natIp;
            this.internalIp = internalIp;
            this.description = description;
            this.metadata = metadata;
            this.labels = labels;
        }

        String status(long now) {
            if (deleteAt >= 0) {
                return "STOPPING";
            }
            if (stopAt >= 0) {
                return now < stoppedAt ? "STOPPING" : "TERMINATED";
            }
            if (now < provisionedAt) {
                return "PROVISIONING";
            }
            return now < runningAt ? "STAGING" : "RUNNING";
        }
    }

    record Attached(String disk, String deviceName, boolean boot, boolean autoDelete) {
    }

    static final class Disk {
        final String project;
        final String zone;
        final String name;
        final long id;
        final long sizeGb;
        final String type;
        final String sourceImage;
        final Instant created;
        final long readyAt;
        Map<String, String> labels;
        String user;
        long deleteAt = -1;

        Disk(String project, String zone, String name, long id, long sizeGb, String type, String sourceImage,
                Instant created, long readyAt, Map<String, String> labels) {
            this.project = project;
            this.zone = zone;
            this.name = name;
            this.id = id;
            this.sizeGb = sizeGb;
            this.type = type;
            this.sourceImage = sourceImage;
            this.created = created;
            this.readyAt = readyAt;
            this.labels = labels;
        }

        String status(long now) {
            if (deleteAt >= 0) {
                return "DELETING";
            }
            return now < readyAt ? "CREATING" : "READY";
        }

        boolean ssd() {
            return type.equals("pd-ssd") || type.equals("pd-balanced");
        }
    }

    static final class Image {
        final String project;
        final String name;
        final long id;
        final String family;
        final long diskSizeGb;
        final String sourceDisk;
        final String description;
        final Instant created;
        final long readyAt;
        Map<String, String> labels;
        long deleteAt = -1;
        boolean failed;

        Image(String project, String name, long id, String family, long diskSizeGb, String sourceDisk,
                String description, Instant created, long readyAt, Map<String, String> labels) {
            this.project = project;
            this.name = name;
            this.id = id;
            this.family = family;
            this.diskSizeGb = diskSizeGb;
            this.sourceDisk = sourceDisk;
            this.description = description;
            this.created = created;
            this.readyAt = readyAt;
            this.labels = labels;
        }

        String status(long now) {
            if (deleteAt >= 0) {
                return "DELETING";
            }
            if (failed) {
                return "FAILED";
            }
            return now < readyAt ? "PENDING" : "READY";
        }
    }

    static final class Address {
        final String project;
        final String region;
        final String name;
        final long id;
        final String address;
        final Instant created;
        long deleteAt = -1;

        Address(String project, String region, String name, long id, String address, Instant created) {
            this.project = project;
            this.region = region;
            this.name = name;
            this.id = id;
            this.address = address;
            this.created = created;
        }
    }

    /** An operation: {@code scope} is {@code zones}, {@code regions} or {@code global}. */
    static final class Operation {
        final String project;
        final String scope;
        final String location;
        final String name;
        final long id;
        final String type;
        final String targetLink;
        final long targetId;
        final Instant inserted;
        final long createdAt;
        final long startAt;
        final long doneAt;
        ObjectNode error;
        int httpErrorStatusCode;
        String httpErrorMessage;

        Operation(String project, String scope, String location, String name, long id, String type, String targetLink,
                long targetId, Instant inserted, long createdAt, long startAt, long doneAt) {
            this.project = project;
            this.scope = scope;
            this.location = location;
            this.name = name;
            this.id = id;
            this.type = type;
            this.targetLink = targetLink;
            this.targetId = targetId;
            this.inserted = inserted;
            this.createdAt = createdAt;
            this.startAt = startAt;
            this.doneAt = doneAt;
        }

        String status(long now) {
            if (now < startAt) {
                return "PENDING";
            }
            return now < doneAt ? "RUNNING" : "DONE";
        }

        String key() {
            return key(scope, location, name);
        }

        static String key(String scope, String location, String name) {
            return scope + "/" + location + "/" + name;
        }
    }

    // ------------------------------------------------------------------ projects, ids, time

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

    private long newId() {
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

    ObjectNode render(Instance i) {
        long now = nanos();
        ObjectNode n = json.createObjectNode()
                .put("kind", "compute#instance")
                .put("id", Long.toString(i.id))
                .put("creationTimestamp", timestamp(i.created))
                .put("name", i.name)
                .put("description", i.description)
                .put("machineType", machineTypeUrl(i.project, i.zone, i.type.name()))
                .put("status", i.status(now))
                .put("zone", zoneUrl(i.project, i.zone))
                .put("cpuPlatform", "Intel Broadwell")
                .put("labelFingerprint", fingerprint(i.labels))
                .put("selfLink", instanceUrl(i.project, i.zone, i.name));
        n.set("labels", json.valueToTree(new TreeMap<>(i.labels)));
        ArrayNode disks = n.putArray("disks");
        int index = 0;
        Project p = projects.get(i.project);
        for (Attached a : i.disks) {
            Disk d = p == null ? null : p.disks.get(diskKey(i.zone, a.disk()));
            ObjectNode dn = disks.addObject()
                    .put("kind", "compute#attachedDisk")
                    .put("type", "PERSISTENT")
                    .put("mode", "READ_WRITE")
                    .put("source", diskUrl(i.project, i.zone, a.disk()))
                    .put("deviceName", a.deviceName())
                    .put("index", index++)
                    .put("boot", a.boot())
                    .put("autoDelete", a.autoDelete())
                    .put("interface", "SCSI");
            if (d != null) {
                dn.put("diskSizeGb", Long.toString(d.sizeGb));
            }
        }
        ObjectNode nic = n.putArray("networkInterfaces").addObject()
                .put("kind", "compute#networkInterface")
                .put("network", BASE + i.project + "/global/networks/default")
                .put("subnetwork", regionUrl(i.project, GceConfig.regionOf(i.zone)) + "/subnetworks/default")
                .put("networkIP", i.internalIp)
                .put("name", "nic0");
        if (i.externalIp) {
            ObjectNode ac = nic.putArray("accessConfigs").addObject()
                    .put("kind", "compute#accessConfig")
                    .put("type", "ONE_TO_ONE_NAT")
                    .put("name", "External NAT")
                    .put("networkTier", "PREMIUM");
            if (i.status(now).equals("RUNNING")) {
                ac.put("natIP", i.natIp);
            }
        }
        if (i.metadata != null) {
            n.set("metadata", i.metadata);
        }
        n.putObject("scheduling").put("onHostMaintenance", "MIGRATE").put("automaticRestart", true)
                .put("preemptible", false);
        return n;
    }

    ObjectNode render(Disk d) {
        ObjectNode n = json.createObjectNode()
                .put("kind", "compute#disk")
                .put("id", Long.toString(d.id))
                .put("creationTimestamp", timestamp(d.created))
                .put("name", d.name)
                .put("sizeGb", Long.toString(d.sizeGb))
                .put("zone", zoneUrl(d.project, d.zone))
                .put("status", d.status(nanos()))
                .put("type", zoneUrl(d.project, d.zone) + "/diskTypes/" + d.type)
                .put("labelFingerprint", fingerprint(d.labels))
                .put("selfLink", diskUrl(d.project, d.zone, d.name));
        if (d.sourceImage != null) {
            n.put("sourceImage", d.sourceImage);
        }
        n.set("labels", json.valueToTree(new TreeMap<>(d.labels)));
        if (d.user != null) {
            n.putArray("users").add(instanceUrl(d.project, d.zone, d.user));
        }
        return n;
    }

    ObjectNode render(Image img) {
        ObjectNode n = json.createObjectNode()
                .put("kind", "compute#image")
                .put("id", Long.toString(img.id))
                .put("creationTimestamp", timestamp(img.created))
                .put("name", img.name)
                .put("description", img.description == null ? "" : img.description)
                .put("sourceType", "RAW")
                .put("status", img.status(nanos()))
                .put("archiveSizeBytes", Long.toString(img.diskSizeGb * 300_000_000L))
                .put("diskSizeGb", Long.toString(img.diskSizeGb))
                .put("labelFingerprint", fingerprint(img.labels))
                .put("selfLink", imageUrl(img.project, img.name));
        if (img.family != null) {
            n.put("family", img.family);
        }
        if (img.sourceDisk != null) {
            n.put("sourceDisk", img.sourceDisk);
        }
        n.set("labels", json.valueToTree(new TreeMap<>(img.labels)));
        n.putArray("storageLocations").add("us");
        return n;
    }

    ObjectNode render(Address a) {
        return json.createObjectNode()
                .put("kind", "compute#address")
                .put("id", Long.toString(a.id))
                .put("creationTimestamp", timestamp(a.created))
                .put("name", a.name)
                .put("address", a.address)
                .put("status", "RESERVED")
                .put("addressType", "EXTERNAL")
                .put("networkTier", "PREMIUM")
                .put("region", regionUrl(a.project, a.region))
                .put("selfLink", regionUrl(a.project, a.region) + "/addresses/" + a.name);
    }

    /** Eight bytes of a hash of the labels, base64 like Compute Engine's fingerprints (e.g. {@code 42WmSpB8rSM=}). */
    private static String fingerprint(Map<String, String> labels) {
        long hash = new TreeMap<>(labels).hashCode() * 0x9E3779B97F4A7C15L;
        return java.util.Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(8).putLong(hash).array());
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

    // ------------------------------------------------------------------ quotas

    /** The region's quotas with their usage now, in the emulator's order. */
    synchronized Map<String, double[]> regionQuotas(String project, String region) {
        tick();
        Map<String, double[]> out = new LinkedHashMap<>();
        Map<String, Double> usage = regionUsage(project(project), region);
        for (String metric : config.regionQuotas().keySet()) {
            out.put(metric, new double[] {config.regionQuota(region, metric), usage.getOrDefault(metric, 0.0)});
        }
        Map<String, Double> own = config.regionQuotaOverrides().get(region);
        if (own != null) {
            for (String metric : own.keySet()) {
                out.putIfAbsent(metric, new double[] {own.get(metric), usage.getOrDefault(metric, 0.0)});
            }
        }
        return out;
    }

    synchronized Map<String, double[]> projectQuotas(String project) {
        tick();
        Map<String, double[]> out = new LinkedHashMap<>();
        Map<String, Double> usage = projectUsage(project(project));
        config.projectQuotas().forEach((metric, limit) ->
                out.put(metric, new double[] {limit, usage.getOrDefault(metric, 0.0)}));
        return out;
    }

    private Map<String, Double> regionUsage(Project p, String region) {
        if (region == null) {
            return Map.of();
        }
        long now = nanos();
        Map<String, Double> usage = new LinkedHashMap<>();
        for (Instance i : p.instances.values()) {
            if (!GceConfig.regionOf(i.zone).equals(region)) {
                continue;
            }
            usage.merge("INSTANCES", 1.0, Double::sum);
            if (!i.status(now).equals("TERMINATED")) {
                usage.merge("CPUS", (double) i.type.guestCpus(), Double::sum);
                if (i.type.familyMetric() != null) {
                    usage.merge(i.type.familyMetric(), (double) i.type.guestCpus(), Double::sum);
                }
                if (i.externalIp) {
                    usage.merge("IN_USE_ADDRESSES", 1.0, Double::sum);
                }
            }
        }
        for (Disk d : p.disks.values()) {
            if (GceConfig.regionOf(d.zone).equals(region)) {
                usage.merge(d.ssd() ? "SSD_TOTAL_GB" : "DISKS_TOTAL_GB", (double) d.sizeGb, Double::sum);
            }
        }
        for (Address a : p.addresses.values()) {
            if (a.region.equals(region)) {
                usage.merge("STATIC_ADDRESSES", 1.0, Double::sum);
            }
        }
        return usage;
    }

    private Map<String, Double> projectUsage(Project p) {
        long now = nanos();
        Map<String, Double> usage = new LinkedHashMap<>();
        usage.put("IMAGES", (double) p.images.size());
        for (Instance i : p.instances.values()) {
            if (!i.status(now).equals("TERMINATED")) {
                usage.merge("CPUS_ALL_REGIONS", (double) i.type.guestCpus(), Double::sum);
            }
        }
        return usage;
    }

    /**
     * The first quota that {@code adding} would take over its limit, as Compute Engine words it
     * ("Quota 'CPUS' exceeded. Limit: 8.0 in region us-east1."), or null when everything fits.
     */
    private String quotaProblem(Project p, String region, Map<String, Double> adding) {
        Map<String, Double> regional = region == null ? Map.of() : regionUsage(p, region);
        Map<String, Double> global = projectUsage(p);
        for (var e : adding.entrySet()) {
            String metric = e.getKey();
            if (config.projectQuotas().containsKey(metric)) {
                double limit = config.projectQuotas().get(metric);
                if (global.getOrDefault(metric, 0.0) + e.getValue() > limit) {
                    return "Quota '" + metric + "' exceeded. Limit: " + limit + " globally.";
                }
            } else if (region != null) {
                double limit = config.regionQuota(region, metric);
                boolean known = config.regionQuotas().containsKey(metric)
                        || config.regionQuotaOverrides().getOrDefault(region, Map.of()).containsKey(metric);
                if (known && regional.getOrDefault(metric, 0.0) + e.getValue() > limit) {
                    return "Quota '" + metric + "' exceeded. Limit: " + limit + " in region " + region + ".";
                }
            }
        }
        return null;
    }

    /** Remembers the highest usage each quota reached, so tests can tell a quota was used and never passed. */
    private void notePeaks(Project p, String region) {
        regionUsage(p, region).forEach((m, v) -> peaks.merge(p.id + "/" + region + "#" + m, v, Math::max));
        projectUsage(p).forEach((m, v) -> peaks.merge(p.id + "#" + m, v, Math::max));
    }

    /** The highest usage {@code metric} reached in {@code region} (null: project-wide) since start or reset. */
    synchronized double peakUsage(String project, String region, String metric) {
        return peaks.getOrDefault(region == null ? project + "#" + metric : project + "/" + region + "#" + metric, 0.0);
    }

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

    // ------------------------------------------------------------------ operations

    private Operation operation(Project p, String scope, String location, String type, String targetLink,
            long targetId, long doneAt) {
        long now = nanos();
        long startAt = now + config.delays().operationPending().toNanos();
        Operation op = new Operation(p.id, scope, location, operationName(), newId(), type, targetLink, targetId,
                now(), now, startAt, Math.max(startAt, doneAt));
        p.operations.put(op.key(), op);
        return op;
    }

    private Operation failed(Project p, String scope, String location, String type, String targetLink,
            String quotaMessage, String region) {
        Operation op = operation(p, scope, location, type, targetLink, 0, 0);
        op.error = quotaError(quotaMessage, metricOf(quotaMessage), region);
        op.httpErrorStatusCode = 403;
        op.httpErrorMessage = "FORBIDDEN";
        return op;
    }

    private long changeDone(java.time.Duration delay) {
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

    // ------------------------------------------------------------------ instances

    /** The outcome of an insert: the operation, and whether a quota refused it. */
    record Inserted(Operation operation, boolean quotaExceeded) {
    }

    synchronized Inserted insertInstance(String project, String zone, JsonNode body) {
        tick();
        Project p = writable(project);
        String name = requireName(body, "resource.name");
        String key = instanceKey(zone, name);
        if (p.instances.containsKey(key)) {
            throw GceError.alreadyExists(path(project, "zones/" + zone + "/instances/" + name));
        }
        String typeRef = body.path("machineType").asText("");
        if (typeRef.isEmpty()) {
            throw GceError.invalid("Invalid value for field 'resource.machineType': ''. Machine type must be set.");
        }
        MachineTypes.Type type = MachineTypes.named(lastSegment(typeRef)).orElseThrow(() -> GceError.invalid(
                "Invalid value for field 'resource.machineType': '" + typeRef + "'. Machine type with name '"
                        + lastSegment(typeRef) + "' does not exist in zone '" + zone + "'."));
        Map<String, String> labels = labels(body.path("labels"), "resource.labels");
        JsonNode disksNode = body.path("disks");
        if (!disksNode.isArray() || disksNode.isEmpty()) {
            throw GceError.invalid("Invalid value for field 'resource.disks': ''. Boot disk must be specified.");
        }
        List<Disk> newDisks = new ArrayList<>();
        List<Attached> attached = new ArrayList<>();
        Map<String, Double> adding = new LinkedHashMap<>();
        adding.put("CPUS", (double) type.guestCpus());
        if (type.familyMetric() != null) {
            adding.put(type.familyMetric(), (double) type.guestCpus());
        }
        adding.put("INSTANCES", 1.0);
        long now = nanos();
        long startAt = now + config.delays().operationPending().toNanos();
        long runningAt = startAt + config.delays().instanceStart().toNanos();
        for (JsonNode dn : disksNode) {
            boolean boot = dn.path("boot").asBoolean(false);
            boolean autoDelete = dn.path("autoDelete").asBoolean(false);
            if (dn.hasNonNull("source")) {
                String diskName = lastSegment(dn.get("source").asText());
                Disk d = p.disks.get(diskKey(zone, diskName));
                if (d == null) {
                    throw GceError.notFound(path(project, "zones/" + zone + "/disks/" + diskName));
                }
                if (d.user != null) {
                    throw GceError.inUse(path(project, "zones/" + zone + "/disks/" + diskName),
                            path(project, "zones/" + zone + "/instances/" + d.user));
                }
                attached.add(new Attached(diskName, dn.path("deviceName").asText(diskName), boot, autoDelete));
                continue;
            }
            JsonNode init = dn.path("initializeParams");
            String diskName = init.path("diskName").asText(boot ? name : name + "-" + attached.size());
            if (p.disks.containsKey(diskKey(zone, diskName))) {
                throw GceError.alreadyExists(path(project, "zones/" + zone + "/disks/" + diskName));
            }
            String sourceImage = init.path("sourceImage").asText(null);
            Image image = sourceImage == null ? null : resolveImage(project, sourceImage);
            long size = init.hasNonNull("diskSizeGb") ? init.get("diskSizeGb").asLong()
                    : image != null ? image.diskSizeGb : 10;
            if (image != null && size < image.diskSizeGb) {
                throw GceError.invalid("Invalid value for field 'resource.disks[0].initializeParams.diskSizeGb': '"
                        + size + "'. Requested disk size cannot be smaller than the image size (" + image.diskSizeGb
                        + " GB)");
            }
            String diskType = lastSegment(init.path("diskType").asText("pd-standard"));
            Disk d = new Disk(project, zone, diskName, newId(), size, diskType,
                    image == null ? null : imageUrl(image.project, image.name), now(), runningAt,
                    labels(init.path("labels"), "resource.disks[].initializeParams.labels"));
            newDisks.add(d);
            adding.merge(d.ssd() ? "SSD_TOTAL_GB" : "DISKS_TOTAL_GB", (double) size, Double::sum);
            attached.add(new Attached(diskName, dn.path("deviceName").asText(diskName), boot, autoDelete));
        }
        boolean externalIp = false;
        for (JsonNode nic : body.path("networkInterfaces")) {
            if (nic.path("accessConfigs").isArray() && !nic.path("accessConfigs").isEmpty()) {
                externalIp = true;
            }
        }
        if (externalIp) {
            adding.put("IN_USE_ADDRESSES", 1.0);
        }
        adding.put("CPUS_ALL_REGIONS", (double) type.guestCpus());
        String region = GceConfig.regionOf(zone);
        String problem = quotaProblem(p, region, adding);
        String link = instanceUrl(project, zone, name);
        if (problem != null) {
            return new Inserted(failed(p, "zones", zone, "insert", link, problem, region), true);
        }
        Instance i = new Instance(project, zone, name, newId(), type, now(), externalIp, nextNatIp(),
                "10.128.0." + (2 + p.instances.size() % 250),
                body.path("description").asText(""), body.has("metadata") ? body.get("metadata").deepCopy() : null,
                labels);
        i.provisionedAt = startAt + config.delays().instanceStart().toNanos() / 2;
        i.runningAt = runningAt;
        i.disks.addAll(attached);
        for (Disk d : newDisks) {
            d.user = name;
            p.disks.put(diskKey(zone, d.name), d);
        }
        for (Attached a : attached) {
            Disk d = p.disks.get(diskKey(zone, a.disk()));
            if (d != null) {
                d.user = name;
            }
        }
        p.instances.put(key, i);
        notePeaks(p, region);
        return new Inserted(operation(p, "zones", zone, "insert", link, i.id, runningAt), false);
    }

    private String nextNatIp() {
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

    synchronized List<ObjectNode> instances(String project, String zone, Predicate<Function<String, String>> filter) {
        tick();
        List<ObjectNode> out = new ArrayList<>();
        for (Instance i : project(project).instances.values()) {
            if (zone == null || i.zone.equals(zone)) {
                ObjectNode n = render(i);
                if (filter.test(fields(n))) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    synchronized Operation deleteInstance(String project, String zone, String name) {
        Instance i = instance(project, zone, name);
        Project p = writable(project);
        long done = changeDone(config.delays().instanceStop());
        if (i.deleteAt < 0) {
            i.deleteAt = done;
        }
        return operation(p, "zones", zone, "delete", instanceUrl(project, zone, name), i.id, i.deleteAt);
    }

    synchronized Operation stopInstance(String project, String zone, String name) {
        Instance i = instance(project, zone, name);
        Project p = writable(project);
        if (i.stopAt < 0 && i.deleteAt < 0) {
            i.stopAt = nanos();
            i.stoppedAt = changeDone(config.delays().instanceStop());
        }
        long done = i.deleteAt >= 0 ? i.deleteAt : i.stoppedAt;
        return operation(p, "zones", zone, "stop", instanceUrl(project, zone, name), i.id, done);
    }

    synchronized Operation setInstanceLabels(String project, String zone, String name, JsonNode body) {
        Instance i = instance(project, zone, name);
        Project p = writable(project);
        i.labels = labels(body.path("labels"), "labels");
        return operation(p, "zones", zone, "setLabels", instanceUrl(project, zone, name), i.id,
                changeDone(config.delays().otherChange()));
    }

    synchronized ObjectNode serialPort(String project, String zone, String name) {
        Instance i = instance(project, zone, name);
        String log = "Booting " + i.name + " (" + i.type.name() + ") in " + zone + "\nkiln-emulator: no guest runs here\n";
        return json.createObjectNode()
                .put("kind", "compute#serialPortOutput")
                .put("contents", log)
                .put("start", "0")
                .put("next", Integer.toString(log.length()))
                .put("selfLink", instanceUrl(project, zone, name) + "/serialPort");
    }

    // ------------------------------------------------------------------ disks

    synchronized Inserted insertDisk(String project, String zone, JsonNode body) {
        tick();
        Project p = writable(project);
        String name = requireName(body, "resource.name");
        if (p.disks.containsKey(diskKey(zone, name))) {
            throw GceError.alreadyExists(path(project, "zones/" + zone + "/disks/" + name));
        }
        String sourceImage = body.path("sourceImage").asText(null);
        Image image = sourceImage == null ? null : resolveImage(project, sourceImage);
        long size = body.hasNonNull("sizeGb") ? body.get("sizeGb").asLong() : image != null ? image.diskSizeGb : 500;
        String diskType = lastSegment(body.path("type").asText("pd-standard"));
        long done = changeDone(config.delays().otherChange());
        Disk d = new Disk(project, zone, name, newId(), size, diskType,
                image == null ? null : imageUrl(image.project, image.name), now(), done,
                labels(body.path("labels"), "resource.labels"));
        String region = GceConfig.regionOf(zone);
        String problem = quotaProblem(p, region, Map.of(d.ssd() ? "SSD_TOTAL_GB" : "DISKS_TOTAL_GB", (double) size));
        String link = diskUrl(project, zone, name);
        if (problem != null) {
            return new Inserted(failed(p, "zones", zone, "insert", link, problem, region), true);
        }
        p.disks.put(diskKey(zone, name), d);
        notePeaks(p, region);
        return new Inserted(operation(p, "zones", zone, "insert", link, d.id, done), false);
    }

    synchronized Disk disk(String project, String zone, String name) {
        tick();
        Disk d = project(project).disks.get(diskKey(zone, name));
        if (d == null) {
            throw GceError.notFound(path(project, "zones/" + zone + "/disks/" + name));
        }
        return d;
    }

    synchronized List<ObjectNode> disks(String project, String zone, Predicate<Function<String, String>> filter) {
        tick();
        List<ObjectNode> out = new ArrayList<>();
        for (Disk d : project(project).disks.values()) {
            if (zone == null || d.zone.equals(zone)) {
                ObjectNode n = render(d);
                if (filter.test(fields(n))) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    synchronized Operation deleteDisk(String project, String zone, String name) {
        Disk d = disk(project, zone, name);
        Project p = writable(project);
        if (d.user != null) {
            throw GceError.inUse(path(project, "zones/" + zone + "/disks/" + name),
                    path(project, "zones/" + zone + "/instances/" + d.user));
        }
        if (d.deleteAt < 0) {
            d.deleteAt = changeDone(config.delays().otherChange());
        }
        return operation(p, "zones", zone, "delete", diskUrl(project, zone, name), d.id, d.deleteAt);
    }

    synchronized Operation setDiskLabels(String project, String zone, String name, JsonNode body) {
        Disk d = disk(project, zone, name);
        Project p = writable(project);
        d.labels = labels(body.path("labels"), "labels");
        return operation(p, "zones", zone, "setLabels", diskUrl(project, zone, name), d.id,
                changeDone(config.delays().otherChange()));
    }

    // ------------------------------------------------------------------ images

    synchronized Inserted insertImage(String project, JsonNode body, boolean forceCreate) {
        tick();
        Project p = writable(project);
        String name = requireName(body, "resource.name");
        if (p.images.containsKey(name)) {
            throw GceError.alreadyExists(path(project, "global/images/" + name));
        }
        Map<String, String> labels = labels(body.path("labels"), "resource.labels");
        String sourceDisk = body.path("sourceDisk").asText(null);
        String sourceImage = body.path("sourceImage").asText(null);
        long size;
        String sourceLink = null;
        if (sourceDisk != null) {
            Matcher m = Pattern.compile(URL_PREFIX + "(?:projects/([^/]+)/)?zones/([^/]+)/disks/([^/]+)").matcher(sourceDisk);
            if (!m.matches()) {
                throw GceError.invalid("Invalid value for field 'resource.sourceDisk': '" + sourceDisk
                        + "'. The URL is malformed.");
            }
            String diskProject = m.group(1) == null ? project : m.group(1);
            Disk d = disk(diskProject, m.group(2), m.group(3));
            if (d.user != null && !forceCreate) {
                Instance user = project(diskProject).instances.get(instanceKey(d.zone, d.user));
                if (user != null && !user.status(nanos()).equals("TERMINATED")) {
                    throw GceError.inUse(path(diskProject, "zones/" + d.zone + "/disks/" + d.name),
                            path(diskProject, "zones/" + d.zone + "/instances/" + d.user));
                }
            }
            size = d.sizeGb;
            sourceLink = diskUrl(diskProject, d.zone, d.name);
        } else if (sourceImage != null) {
            Image src = resolveImage(project, sourceImage);
            size = src.diskSizeGb;
        } else {
            throw GceError.invalid("Invalid value for field 'resource': ''. Exactly one of sourceDisk, sourceImage,"
                    + " sourceSnapshot or rawDisk.source must be specified.");
        }
        String link = imageUrl(project, name);
        String problem = quotaProblem(p, null, Map.of("IMAGES", 1.0));
        if (problem != null) {
            return new Inserted(failed(p, "global", "", "insert", link, problem, null), true);
        }
        long done = changeDone(config.delays().imageCreate());
        Image img = new Image(project, name, newId(), body.path("family").asText(null), size, sourceLink,
                body.path("description").asText(""), now(), done, labels);
        p.images.put(name, img);
        notePeaks(p, null);
        return new Inserted(operation(p, "global", "", "insert", link, img.id, done), false);
    }

    synchronized Image image(String project, String name) {
        tick();
        Image img = project(project).images.get(name);
        if (img == null) {
            throw GceError.notFound(path(project, "global/images/" + name));
        }
        return img;
    }

    /** The newest usable image of {@code family}, as {@code images.getFromFamily} answers. */
    synchronized Image imageFromFamily(String project, String family) {
        tick();
        long now = nanos();
        Image newest = null;
        for (Image img : project(project).images.values()) {
            if (family.equals(img.family) && img.status(now).equals("READY")
                    && (newest == null || !img.created.isBefore(newest.created))) {
                newest = img;
            }
        }
        if (newest == null) {
            throw GceError.notFound(path(project, "global/images/family/" + family));
        }
        return newest;
    }

    synchronized List<ObjectNode> images(String project, Predicate<Function<String, String>> filter) {
        tick();
        List<ObjectNode> out = new ArrayList<>();
        for (Image img : project(project).images.values()) {
            ObjectNode n = render(img);
            if (filter.test(fields(n))) {
                out.add(n);
            }
        }
        return out;
    }

    synchronized Operation deleteImage(String project, String name) {
        Image img = image(project, name);
        Project p = writable(project);
        if (img.deleteAt < 0) {
            img.deleteAt = changeDone(config.delays().otherChange());
        }
        return operation(p, "global", "", "delete", imageUrl(project, name), img.id, img.deleteAt);
    }

    synchronized Operation setImageLabels(String project, String name, JsonNode body) {
        Image img = image(project, name);
        Project p = writable(project);
        img.labels = labels(body.path("labels"), "labels");
        return operation(p, "global", "", "setLabels", imageUrl(project, name), img.id,
                changeDone(config.delays().otherChange()));
    }

    /** Marks an image FAILED, as an image whose creation broke half way: debris for sweeps. */
    synchronized void failImage(String project, String name) {
        image(project, name).failed = true;
    }

    /** {@code projects/P/global/images/N}, {@code .../family/F}, {@code global/images/N} or a full URL. */
    private Image resolveImage(String project, String ref) {
        Matcher m = Pattern.compile(URL_PREFIX + "(?:projects/([^/]+)/)?global/images/(family/)?([^/]+)").matcher(ref);
        if (!m.matches()) {
            throw GceError.invalid("Invalid value for field 'sourceImage': '" + ref + "'. The URL is malformed.");
        }
        String imageProject = m.group(1) == null ? project : m.group(1);
        return m.group(2) != null ? imageFromFamily(imageProject, m.group(3)) : image(imageProject, m.group(3));
    }

    // ------------------------------------------------------------------ addresses

    synchronized Operation insertAddress(String project, String region, JsonNode body) {
        tick();
        Project p = writable(project);
        String name = requireName(body, "resource.name");
        String key = region + "/" + name;
        if (p.addresses.containsKey(key)) {
            throw GceError.alreadyExists(path(project, "regions/" + region + "/addresses/" + name));
        }
        String link = regionUrl(project, region) + "/addresses/" + name;
        String problem = quotaProblem(p, region, Map.of("STATIC_ADDRESSES", 1.0));
        if (problem != null) {
            return failed(p, "regions", region, "insert", link, problem, region);
        }
        Address a = new Address(project, region, name, newId(), nextNatIp(), now());
        p.addresses.put(key, a);
        return operation(p, "regions", region, "insert", link, a.id, changeDone(config.delays().otherChange()));
    }

    synchronized Address address(String project, String region, String name) {
        tick();
        Address a = project(project).addresses.get(region + "/" + name);
        if (a == null) {
            throw GceError.notFound(path(project, "regions/" + region + "/addresses/" + name));
        }
        return a;
    }

    synchronized List<ObjectNode> addresses(String project, String region, Predicate<Function<String, String>> filter) {
        tick();
        List<ObjectNode> out = new ArrayList<>();
        for (Address a : project(project).addresses.values()) {
            if (a.region.equals(region)) {
                ObjectNode n = render(a);
                if (filter.test(fields(n))) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    synchronized Operation deleteAddress(String project, String region, String name) {
        Address a = address(project, region, name);
        Project p = writable(project);
        if (a.deleteAt < 0) {
            a.deleteAt = changeDone(config.delays().otherChange());
        }
        return operation(p, "regions", region, "delete", regionUrl(project, region) + "/addresses/" + name, a.id,
                a.deleteAt);
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

    private Project writable(String project) {
        Project p = project(project);
        if (p.readOnly) {
            throw GceError.forbidden("compute.images.create", "projects/" + project);
        }
        return p;
    }

    private static String requireName(JsonNode body, String field) {
        String name = body.path("name").asText("");
        if (!NAME.matcher(name).matches()) {
            throw GceError.invalid("Invalid value for field '" + field + "': '" + name
                    + "'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'");
        }
        return name;
    }

    private static Map<String, String> labels(JsonNode node, String field) {
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
