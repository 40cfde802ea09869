package dev.kiln.emulators.azure;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Every subscription, resource group, resource and long-running operation of one emulator. One
 * lock (this object) guards it all. Time moves lazily: {@link #tick()} finishes whatever the time
 * source says is done (provisioning, deallocation, deletion) before each request is answered.
 */
final class ArmWorld {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A resource group. */
    static final class Group {
        final String subscription;
        final String name;
        final String location;
        final Map<String, String> tags = new LinkedHashMap<>();
        String state = "Succeeded";
        long goneAt = -1;

        Group(String subscription, String name, String location) {
            this.subscription = subscription;
            this.name = name;
            this.location = location;
        }

        String id() {
            return "/subscriptions/" + subscription + "/resourceGroups/" + name;
        }
    }

    /** Any other resource, from a VM to a deployment. */
    static final class Res {
        final String id;
        final String subscription;
        final String group;
        final String type;
        final String name;
        String location;
        final Map<String, String> tags = new LinkedHashMap<>();
        /** Top-level fields other than id, name, type, location and tags: properties, sku, zones... */
        ObjectNode body = JSON.createObjectNode();
        String state = "Succeeded";
        long readyAt;
        long goneAt = -1;
        // Virtual machines
        VmSizes.Size size;
        String power = "running";
        String pendingPower;
        long powerAt;
        boolean generalized;

        Res(String id, String subscription, String group, String type, String name, String location) {
            this.id = id;
            this.subscription = subscription;
            this.group = group;
            this.type = type;
            this.name = name;
            this.location = location;
        }

        ObjectNode properties() {
            if (!body.path("properties").isObject()) {
                body.putObject("properties");
            }
            return (ObjectNode) body.get("properties");
        }

        boolean isVm() {
            return type.equalsIgnoreCase(ArmTypes.VM);
        }

        boolean deleting() {
            return goneAt >= 0;
        }
    }

    /** A long-running operation; its status follows from the time source. */
    record Op(String id, String subscription, String location, String namespace, long startNanos, Instant started,
            long doneNanos, ArmError failure) {
    }

    final ArmConfig config;
    final TimeSource time;
    private final Set<String> subscriptions = new LinkedHashSet<>();
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final Map<String, Res> resources = new LinkedHashMap<>();
    private final Map<String, Op> operations = new HashMap<>();
    private SplittableRandom random;

    ArmWorld(ArmConfig config) {
        this.config = config;
        this.time = config.time();
        reset();
    }

    synchronized void reset() {
        subscriptions.clear();
        subscriptions.addAll(config.subscriptions());
        groups.clear();
        resources.clear();
        operations.clear();
        if (peaks != null) {
            peaks.clear();
        }
        random = new SplittableRandom(config.seed());
    }

    Instant now() {
        return time.now();
    }

    long nanos() {
        return time.nanoTime();
    }

    long after(Duration d) {
        return Math.addExact(time.nanoTime(), d.toNanos());
    }

    synchronized String uuid() {
        return new UUID((random.nextLong() & ~0xf000L) | 0x4000L, (random.nextLong() & ~(3L << 62)) | (2L << 62))
                .toString();
    }

    synchronized String hex(int digits) {
        String s = String.format("%016x", random.nextLong());
        return s.substring(16 - digits);
    }

    // --- time

    /** Finishes everything that is due. */
    synchronized void tick() {
        long now = time.nanoTime();
        for (Iterator<Group> it = groups.values().iterator(); it.hasNext(); ) {
            Group g = it.next();
            if (g.goneAt >= 0 && now >= g.goneAt) {
                resources.values().removeIf(r -> r.subscription.equals(g.subscription)
                        && r.group.equalsIgnoreCase(g.name));
                it.remove();
            }
        }
        for (Iterator<Res> it = resources.values().iterator(); it.hasNext(); ) {
            Res r = it.next();
            if (r.goneAt >= 0 && now >= r.goneAt) {
                it.remove();
                continue;
            }
            if (("Creating".equals(r.state) || "Updating".equals(r.state)) && now >= r.readyAt) {
                r.state = "Succeeded";
            }
            if (r.pendingPower != null && now >= r.powerAt) {
                r.power = r.pendingPower;
                r.pendingPower = null;
            }
        }
    }

    // --- subscriptions

    synchronized void touchSubscription(String subscription) {
        subscriptions.add(subscription.toLowerCase(Locale.ROOT));
    }

    synchronized List<String> subscriptions() {
        return List.copyOf(subscriptions);
    }

    // --- operations

    synchronized Op startOperation(String subscription, String location, String namespace, Duration length,
            ArmError failure) {
        Op op = new Op(uuid(), subscription, location, namespace, time.nanoTime(), time.now(), after(length), failure);
        operations.put(op.id(), op);
        return op;
    }

    synchronized Op operation(String id) {
        return operations.get(id);
    }

    // --- resource groups

    synchronized Group group(String subscription, String name) {
        return groups.get(key(subscription, name));
    }

    synchronized Group putGroup(String subscription, String name, String location, Map<String, String> tags,
            boolean[] created) {
        Group g = groups.get(key(subscription, name));
        if (g == null) {
            g = new Group(subscription, name, location);
            groups.put(key(subscription, name), g);
            created[0] = true;
        } else if (!g.location.equalsIgnoreCase(location)) {
            throw ArmError.of(409, "InvalidResourceGroupLocation", "Invalid resource group location '" + location
                    + "'. The Resource group already exists in location '" + g.location + "'.");
        }
        if (tags != null) {
            g.tags.clear();
            g.tags.putAll(tags);
        }
        return g;
    }

    synchronized List<Group> groups(String subscription) {
        return groups.values().stream().filter(g -> g.subscription.equalsIgnoreCase(subscription)).toList();
    }

    synchronized void deleteGroup(Group g, Duration length) {
        if (g.goneAt >= 0) {
            return;
        }
        g.state = "Deleting";
        g.goneAt = after(length);
    }

    // --- resources

    synchronized Res resource(String id) {
        return resources.get(id.toLowerCase(Locale.ROOT));
    }

    synchronized void add(Res r) {
        resources.put(r.id.toLowerCase(Locale.ROOT), r);
    }

    synchronized void delete(Res r, Duration length) {
        r.goneAt = after(length);
        r.state = "Deleting";
    }

    synchronized List<Res> resources(String subscription, String group) {
        List<Res> out = new ArrayList<>();
        for (Res r : resources.values()) {
            if (r.subscription.equalsIgnoreCase(subscription) && (group == null || r.group.equalsIgnoreCase(group))) {
                out.add(r);
            }
        }
        return out;
    }

    /** Resources whose id starts with {@code prefix} + "/" (children of a resource), any depth. */
    synchronized List<Res> children(String parentId) {
        String p = parentId.toLowerCase(Locale.ROOT) + "/";
        return resources.entrySet().stream().filter(e -> e.getKey().startsWith(p)).map(Map.Entry::getValue).toList();
    }

    // --- quota

    /** vCPUs that VMs hold in a subscription and region: every VM that is not deallocated. */
    synchronized int coresInUse(String subscription, String region, String family) {
        int sum = 0;
        for (Res r : resources.values()) {
            if (r.isVm() && r.size != null && r.subscription.equalsIgnoreCase(subscription)
                    && r.location.equalsIgnoreCase(region) && !"deallocated".equals(r.power)
                    && (family == null || family.equals(r.size.family()))) {
                sum += r.size.cores();
            }
        }
        return sum;
    }

    private final Map<String, Integer> peaks = new HashMap<>();

    /** Remembers the cores in use now if they are the most ever seen in that subscription and region. */
    synchronized void notePeak(String subscription, String region) {
        peaks.merge(key(subscription, region), coresInUse(subscription, region, null), Math::max);
    }

    synchronized int peakCores(String subscription, String region) {
        return peaks.getOrDefault(key(subscription, region), 0);
    }

    synchronized int vmCount(String subscription, String region) {
        return (int) resources.values().stream().filter(r -> r.isVm() && r.subscription.equalsIgnoreCase(subscription)
                && r.location.equalsIgnoreCase(region)).count();
    }

    // --- admin

    synchronized List<TaggedResource> resourcesTagged(String key, String value) {
        tick();
        List<TaggedResource> out = new ArrayList<>();
        for (Group g : groups.values()) {
            if (value.equals(g.tags.get(key))) {
                out.add(new TaggedResource(ArmEmulator.PROVIDER, g.subscription, g.location, "resourceGroup",
                        g.id(), g.state, g.tags));
            }
        }
        for (Res r : resources.values()) {
            if (value.equals(r.tags.get(key))) {
                out.add(new TaggedResource(ArmEmulator.PROVIDER, r.subscription, r.location, r.type, r.id,
                        r.isVm() ? r.state + "/" + r.power : r.state, r.tags));
            }
        }
        return List.copyOf(out);
    }

    static String key(String subscription, String group) {
        return (subscription + "/" + group).toLowerCase(Locale.ROOT);
    }
}
