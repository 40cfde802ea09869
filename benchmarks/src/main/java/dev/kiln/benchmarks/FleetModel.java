package dev.kiln.benchmarks;

import dev.kiln.limits.ApiCost;
import dev.kiln.limits.Charge;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.Limit;
import dev.kiln.limits.LimitKey;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.Quota;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Demand;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.sim.SimulatedPackerRunner;
import dev.kiln.spi.CloudProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A fleet as the solver sees it, read off the simulation: each build's real duration (the
 * runner's draw for its first attempt), what it holds of each quota and concurrency limit while it
 * runs, and what it calls of each rate limit — a burst when it starts, a steady rate while it
 * runs, a burst when it tears down, exactly as {@link SimulatedPackerRunner} makes them.
 *
 * <p>Builds that share no quota, concurrency limit, rate limit or dependency cannot delay each
 * other, so the fleet splits into {@link Component}s solved one by one; the fleet's optimum is the
 * largest of theirs. Kiln's own calls (quota probes, name checks, verification) are left out: they
 * are the scheduler's overhead, not the schedule's.
 */
final class FleetModel {

    /** Name of the resource host slots are, when they can bind. */
    static final String HOST_SLOTS = "host slots";

    private final List<Component> components;

    private FleetModel(List<Component> components) {
        this.components = components;
    }

    /**
     * One build.
     *
     * @param id            its job
     * @param durationNanos how long it really runs (the runner's draw, not the model's estimate)
     * @param holds         what it holds while running, by resource key (quotas and concurrency limits)
     * @param calls         what it calls, by rate-limit key
     * @param dependsOn     builds (indices in the component) that must end first
     */
    record Build(JobId id, long durationNanos, Map<String, Long> holds, Map<String, Calls> calls,
                 List<Integer> dependsOn) {
    }

    /**
     * One build's calls charged to one rate limit, in tokens.
     *
     * @param atStart   the burst when it starts
     * @param perSecond the steady rate while it runs
     * @param atEnd     the burst when it tears down
     */
    record Calls(double atStart, double perSecond, double atEnd) {

        Calls plus(Calls o) {
            return new Calls(atStart + o.atStart, perSecond + o.perSecond, atEnd + o.atEnd);
        }

        double total(double seconds) {
            return atStart + perSecond * seconds + atEnd;
        }
    }

    /**
     * Builds that share limits with each other and with nothing else.
     *
     * @param builds     the builds, in plan order
     * @param capacities each resource's capacity: quota left, a concurrency limit's cost, host slots
     * @param rateLimits each rate limit's shape: token buckets and fixed windows
     * @param startEpochSecond when the fleet starts (time 0 of a schedule): fixed windows are aligned to the epoch
     */
    record Component(List<Build> builds, Map<String, Long> capacities, Map<String, LimitSpec> rateLimits,
                     long startEpochSecond) {

        /** The account-region (or account, with how many regions) this component covers, for reports. */
        String name() {
            List<String> regions = builds.stream().map(b -> b.id().value())
                    .map(v -> v.substring(v.indexOf('/') + 1, v.lastIndexOf('/'))).distinct().sorted().toList();
            if (regions.size() == 1) {
                return regions.get(0);
            }
            String account = regions.get(0).substring(0, regions.get(0).lastIndexOf('/'));
            return account + " (" + regions.size() + " regions)";
        }

        /** Seconds from the start of the fixed window the fleet starts in to the fleet's start. */
        long windowOffset(LimitSpec.FixedWindow fw) {
            return Math.floorMod(startEpochSecond, fw.window().toSeconds());
        }

        /**
         * The bound nothing could beat, whatever the order: the longest build, each resource's
         * area over its capacity, each rate limit's calls beyond its burst over its rate. The same
         * reasoning as {@link LowerBound}, per component.
         */
        Duration areaBound() {
            double best = 0;
            Map<String, Double> area = new HashMap<>();
            Map<String, Double> calls = new HashMap<>();
            for (Build b : builds) {
                double seconds = b.durationNanos() / 1e9;
                best = Math.max(best, seconds);
                b.holds().forEach((k, v) -> area.merge(k, v * seconds, Double::sum));
                b.calls().forEach((k, c) -> calls.merge(k, c.total(seconds), Double::sum));
            }
            for (var e : area.entrySet()) {
                best = Math.max(best, e.getValue() / capacities.get(e.getKey()));
            }
            for (var e : calls.entrySet()) {
                LimitSpec spec = rateLimits.get(e.getKey());
                if (spec instanceof LimitSpec.TokenBucket tb) {
                    best = Math.max(best, (e.getValue() - tb.capacity()) / tb.refillPerSecond());
                } else if (spec instanceof LimitSpec.FixedWindow fw) {
                    double windows = Math.ceil(e.getValue() / fw.limit() - 1e-9);
                    best = Math.max(best, (windows - 1) * fw.window().toSeconds() - windowOffset(fw));
                }
            }
            return Duration.ofNanos((long) Math.floor(best * 1e9));
        }
    }

    List<Component> components() {
        return components;
    }

    /**
     * Reads a plan the way {@code runner} will run it against {@code cloud} (a cloud of its own:
     * the quota probes it takes here charge its read limits).
     *
     * @param hostSlots packer processes allowed at once; a constraint only when fewer than the builds
     */
    static FleetModel of(BuildPlan plan, SimulatedCloud cloud, SimulatedPackerRunner runner, int hostSlots) {
        if (plan.createdAt().getNano() != 0) {
            throw new IllegalArgumentException("the solver counts whole seconds: plan " + plan.name()
                    + " must start on a whole second, not at " + plan.createdAt());
        }
        Map<String, CloudProvider> providers = new HashMap<>();
        cloud.providers().forEach(p -> providers.put(p.id(), p));
        Map<String, Long> capacities = new HashMap<>();
        Map<String, LimitSpec> rateLimits = new HashMap<>();
        Map<String, Map<String, Quota>> quotas = new HashMap<>();
        Map<String, Long> imagesPerTarget = new HashMap<>();
        List<Build> builds = new ArrayList<>();
        Map<JobId, Integer> index = new HashMap<>();
        for (BuildJob job : plan.jobs()) {
            index.put(job.id(), index.size());
        }
        for (BuildJob job : plan.jobs()) {
            Target target = job.target();
            CloudProvider provider = providers.get(target.provider());
            if (provider == null) {
                throw new IllegalArgumentException("the simulated cloud has no provider '" + target.provider()
                        + "' for job " + job.id());
            }
            SimulatedPackerRunner.Draw draw = runner.draw(job, 1);
            Map<String, Long> holds = new TreeMap<>();
            Map<String, Quota> quota = quotas.computeIfAbsent(target.key(), k -> provider.probeQuotas(target).quotas());
            for (var d : job.demand().amounts().entrySet()) {
                Quota q = quota.get(d.getKey());
                if (q == null || d.getValue() == 0) {
                    continue;
                }
                if (d.getKey().equals(Demand.IMAGES)) {
                    // Images stay: they are a count over the whole fleet, not a resource held.
                    long images = imagesPerTarget.merge(target.key(), d.getValue(), Long::sum);
                    if (images > q.limit() - q.usage()) {
                        throw new IllegalArgumentException("no schedule exists: " + target.key() + " has room for "
                                + (q.limit() - q.usage()) + " more images and the plan builds " + images);
                    }
                    continue;
                }
                String key = "quota " + q.scope().keyOf(target) + " " + d.getKey();
                capacities.put(key, q.limit() - q.usage());
                holds.merge(key, d.getValue(), Long::sum);
            }
            LimitsTable table = provider.apiLimits(target);
            CostModel cost = cloud.costModel(job.image(), target);
            for (var h : cost.holds().entrySet()) {
                Limit limit = table.limit(h.getKey()).orElse(null);
                if (limit != null && limit.spec() instanceof LimitSpec.Concurrency c) {
                    String key = LimitKey.of(target, limit).toString();
                    capacities.put(key, c.maxCost());
                    holds.merge(key, h.getValue(), Long::sum);
                }
            }
            if (hostSlots < plan.jobs().size()) {
                capacities.put(HOST_SLOTS, (long) hostSlots);
                holds.put(HOST_SLOTS, 1L);
            }
            Map<String, Calls> calls = new TreeMap<>();
            for (ApiCost c : cost.calls()) {
                // Bursts are whole calls, as the runner makes them.
                double start = Math.round(c.atStart() * draw.callFactor());
                double end = Math.round(c.atEnd() * draw.callFactor());
                double perSecond = c.perMinute() * draw.callFactor() / 60;
                for (Charge charge : table.chargesFor(c.api())) {
                    Limit limit = table.limit(charge.limit()).orElse(null);
                    if (limit == null || limit.spec() instanceof LimitSpec.Concurrency) {
                        continue;
                    }
                    if (limit.spec() instanceof LimitSpec.FixedWindow fw && fw.window().toNanos() % 1_000_000_000L != 0) {
                        throw new IllegalArgumentException("the solver counts whole seconds: limit " + limit.name()
                                + " has a window of " + fw.window());
                    }
                    String key = LimitKey.of(target, limit).toString();
                    rateLimits.put(key, limit.spec());
                    calls.merge(key, new Calls(start * charge.tokens(), perSecond * charge.tokens(),
                            end * charge.tokens()), Calls::plus);
                }
            }
            calls.values().removeIf(c -> c.atStart() == 0 && c.perSecond() == 0 && c.atEnd() == 0);
            List<Integer> deps = job.dependsOn().stream().map(index::get).sorted().toList();
            builds.add(new Build(job.id(), draw.duration().toNanos(), holds, calls, deps));
        }
        dropRedundant(builds, capacities);
        return new FleetModel(split(builds, capacities, rateLimits, plan.createdAt().getEpochSecond()));
    }

    /**
     * Drops resources that can never bind because tighter ones always hold first: a datastore's
     * cost when the hosts' limits on it add up to no more than the datastore allows. Left in, the
     * datastore would join every host of a vCenter into one component.
     */
    private static void dropRedundant(List<Build> builds, Map<String, Long> capacities) {
        for (String key : List.copyOf(capacities.keySet())) {
            Map<String, Long> covering = new HashMap<>();
            boolean covered = true;
            for (Build b : builds) {
                Long amount = b.holds().get(key);
                if (amount == null) {
                    continue;
                }
                // The tightest other resource that holds at least as much of this build.
                String best = b.holds().entrySet().stream()
                        .filter(e -> !e.getKey().equals(key) && e.getValue() >= amount)
                        .map(Map.Entry::getKey)
                        .min(Comparator.comparingLong((String k) -> capacities.get(k)).thenComparing(k -> k))
                        .orElse(null);
                if (best == null) {
                    covered = false;
                    break;
                }
                covering.put(best, capacities.get(best));
            }
            long most = covering.values().stream().mapToLong(Long::longValue).sum();
            if (covered && !covering.isEmpty() && most <= capacities.get(key)) {
                capacities.remove(key);
                for (int i = 0; i < builds.size(); i++) {
                    Build b = builds.get(i);
                    if (b.holds().containsKey(key)) {
                        Map<String, Long> holds = new TreeMap<>(b.holds());
                        holds.remove(key);
                        builds.set(i, new Build(b.id(), b.durationNanos(), holds, b.calls(), b.dependsOn()));
                    }
                }
            }
        }
    }

    /** Splits the builds into components joined by a shared resource, rate limit or dependency. */
    private static List<Component> split(List<Build> builds, Map<String, Long> capacities,
                                         Map<String, LimitSpec> rateLimits, long startEpochSecond) {
        int[] parent = new int[builds.size()];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        Map<String, Integer> firstUser = new HashMap<>();
        for (int i = 0; i < builds.size(); i++) {
            Build b = builds.get(i);
            List<String> keys = new ArrayList<>(b.holds().keySet());
            keys.addAll(b.calls().keySet());
            for (String k : keys) {
                Integer other = firstUser.putIfAbsent(k, i);
                if (other != null) {
                    union(parent, i, other);
                }
            }
            for (int d : b.dependsOn()) {
                union(parent, i, d);
            }
        }
        Map<Integer, List<Integer>> members = new LinkedHashMap<>();
        for (int i = 0; i < builds.size(); i++) {
            members.computeIfAbsent(find(parent, i), k -> new ArrayList<>()).add(i);
        }
        List<Component> out = new ArrayList<>();
        for (List<Integer> m : members.values()) {
            Map<Integer, Integer> local = new HashMap<>();
            for (int i : m) {
                local.put(i, local.size());
            }
            List<Build> own = new ArrayList<>();
            Map<String, Long> caps = new TreeMap<>();
            Map<String, LimitSpec> rates = new TreeMap<>();
            for (int i : m) {
                Build b = builds.get(i);
                own.add(new Build(b.id(), b.durationNanos(), b.holds(), b.calls(),
                        b.dependsOn().stream().map(local::get).toList()));
                b.holds().keySet().forEach(k -> caps.put(k, capacities.get(k)));
                b.calls().keySet().forEach(k -> rates.put(k, rateLimits.get(k)));
            }
            out.add(new Component(List.copyOf(own), caps, rates, startEpochSecond));
        }
        return List.copyOf(out);
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void union(int[] parent, int a, int b) {
        int ra = find(parent, a);
        int rb = find(parent, b);
        if (ra != rb) {
            parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
    }
}
