package dev.kiln.sim;

import dev.kiln.limits.Charge;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.Limit;
import dev.kiln.limits.LimitKey;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.limits.Quota;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.limits.Scope;
import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.Target;
import dev.kiln.spi.ArtifactCheck;
import dev.kiln.spi.Budget;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderContext;
import dev.kiln.spi.SweepReport;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A cloud that throttles exactly like the token buckets and fixed windows it is configured with,
 * enforces quotas, and counts every breach. It stands in for AWS, Azure, GCP and vSphere in
 * simulations ({@link Simulation}), in {@code kiln plan}, and in the scheduling benchmark.
 *
 * <p>Its limits are its own, not Kiln's: a test can give the cloud tighter limits than Kiln
 * believes and watch the adaptive rate catch up. Buckets are modelled analytically (level, refill
 * and the sum of running builds' polling rates), so a simulated build costs a handful of
 * operations whatever its length. Thread-safe.
 */
public final class SimulatedCloud {

    /** The builder id of packer's null builder, whose builds stand in for real ones. */
    public static final String NULL_BUILDER_ID = "fnoeding.null";

    private final TimeSource time;
    private final boolean acceptNullBuilds;
    private final Map<String, ProviderModel> models;
    private final Map<String, Long> defaultQuotas;
    private final Map<String, Map<String, Long>> quotaOverrides;
    private final Map<String, Map<String, Long>> outsideUsage;
    private final Map<String, Map<String, LimitSpec>> limitOverrides;
    private final Map<String, LimitsTable> limitsByTarget = new HashMap<>();

    private final Map<LimitKey, SimLimit> live = new HashMap<>();
    private final Map<Target, Map<String, Map<LimitKey, Double>>> charges = new HashMap<>();
    private final Map<String, Map<String, Long>> usage = new HashMap<>();
    private final Map<LimitKey, Long> held = new HashMap<>();
    private final Map<LimitKey, Long> maxHeld = new TreeMap<>();
    private final List<Hold> waiting = new ArrayList<>();
    private final Map<String, Set<String>> resourcesByBuild = new HashMap<>();
    private final Map<String, Allocation> allocations = new HashMap<>();
    private final Map<String, String> images = new HashMap<>();
    private final Map<String, Long> imagesPerTarget = new HashMap<>();
    private final Map<String, Long> throttlesByLimit = new TreeMap<>();
    private long calls;
    private long throttles;
    private long quotaBreaches;
    private long queued;
    private int sweepsToFail;

    private SimulatedCloud(Builder b) {
        this.time = b.time;
        this.acceptNullBuilds = b.acceptNullBuilds;
        this.models = Map.copyOf(b.models);
        this.defaultQuotas = Map.copyOf(b.defaultQuotas);
        this.quotaOverrides = Map.copyOf(b.quotaOverrides);
        this.outsideUsage = Map.copyOf(b.outsideUsage);
        this.limitOverrides = Map.copyOf(b.limitOverrides);
        this.sweepsToFail = b.failingSweeps;
    }

    /** A cloud with the four providers Kiln knows, at their documented limits. */
    public static Builder builder(TimeSource time) {
        return new Builder(time);
    }

    /** The provider view Kiln registers for {@code id}. */
    public CloudProvider provider(String id) {
        if (!models.containsKey(id)) {
            throw new IllegalArgumentException("the simulated cloud has no provider '" + id + "'; it has "
                    + models.keySet());
        }
        return new View(id);
    }

    /** One provider view per provider id. */
    public List<CloudProvider> providers() {
        List<CloudProvider> out = new ArrayList<>();
        for (String id : models.keySet()) {
            out.add(new View(id));
        }
        return out;
    }

    /** The cost model a build of {@code image} on {@code target} really has (before the runner's error). */
    public CostModel costModel(ImageSpec image, Target target) {
        return models.get(target.provider()).cost;
    }

    // ---------------------------------------------------------------- what builds do

    /**
     * A build calls {@code api} {@code n} times at once.
     *
     * @return how many of those calls were throttled
     */
    public synchronized long call(Target target, String api, double n) {
        calls += Math.round(n);
        long throttled = 0;
        for (Map.Entry<LimitKey, Double> e : chargesFor(target, api).entrySet()) {
            long t = live.get(e.getKey()).call(n * e.getValue(), time.nanoTime(), time.now());
            if (t > 0) {
                throttlesByLimit.merge(e.getKey().toString(), t, Long::sum);
                throttled = Math.max(throttled, t);
            }
        }
        throttles += throttled;
        return throttled;
    }

    /** A build starts ({@code perSecond > 0}) or stops ({@code < 0}) polling {@code api} steadily. */
    public synchronized long poll(Target target, String api, double perSecond) {
        long throttled = 0;
        for (Map.Entry<LimitKey, Double> e : chargesFor(target, api).entrySet()) {
            SimLimit limit = live.get(e.getKey());
            long t = limit.settle(time.nanoTime(), time.now());
            limit.rate += perSecond * e.getValue();
            if (t > 0) {
                throttlesByLimit.merge(e.getKey().toString(), t, Long::sum);
                throttled += t;
            }
        }
        throttles += throttled;
        return throttled;
    }

    /**
     * A build's instance starts, taking {@code demand}; over quota it is refused, as the cloud would.
     *
     * @return false when a quota would be exceeded (counted as a breach)
     */
    public synchronized boolean allocate(Target target, Demand demand, String buildId) {
        Map<String, Long> used = usage.computeIfAbsent(target.key(), k -> new HashMap<>());
        for (var e : demand.amounts().entrySet()) {
            Long limit = quotaLimit(target, e.getKey());
            if (limit == null || e.getKey().equals(Demand.IMAGES)) {
                continue;
            }
            long now = used.getOrDefault(e.getKey(), 0L) + outside(target, e.getKey());
            if (now + e.getValue() > limit) {
                quotaBreaches++;
                return false;
            }
        }
        for (var e : demand.amounts().entrySet()) {
            if (!e.getKey().equals(Demand.IMAGES)) {
                used.merge(e.getKey(), e.getValue(), Long::sum);
            }
        }
        resourcesByBuild.computeIfAbsent(buildId, k -> new HashSet<>()).add("instance/" + buildId);
        allocations.put(buildId, new Allocation(target, demand));
        return true;
    }

    /** The build's instance is gone (packer terminated it, or a sweep did). */
    public synchronized void free(String buildId) {
        Allocation a = allocations.remove(buildId);
        if (a == null) {
            return;
        }
        resourcesByBuild.getOrDefault(buildId, new HashSet<>()).remove("instance/" + buildId);
        Map<String, Long> used = usage.computeIfAbsent(a.target.key(), k -> new HashMap<>());
        for (var e : a.demand.amounts().entrySet()) {
            if (!e.getKey().equals(Demand.IMAGES)) {
                used.merge(e.getKey(), -e.getValue(), Long::sum);
            }
        }
    }

    /**
     * A build asks for provisioning cost (vCenter). Like vCenter, the cloud never refuses: an
     * operation over the limit is queued until others release enough, and {@code granted} runs
     * then (at once when it fits). Queued operations are counted: Kiln should never cause one.
     *
     * @return a handle to release the cost with, or to withdraw from the queue
     */
    public synchronized Hold hold(Target target, Map<String, Long> costs, Runnable granted) {
        Hold h = new Hold(target, costs, granted);
        if (fits(h)) {
            take(h);
            granted.run();
        } else {
            queued++;
            waiting.add(h);
        }
        return h;
    }

    /** Releases a granted hold, or withdraws a queued one; queued holds that now fit are granted. */
    public synchronized void release(Hold h) {
        if (!h.granted) {
            waiting.remove(h);
            return;
        }
        h.granted = false;
        for (var e : h.costs.entrySet()) {
            held.merge(e.getKey(), -e.getValue(), Long::sum);
        }
        for (Hold next : new ArrayList<>(waiting)) {
            if (fits(next)) {
                waiting.remove(next);
                take(next);
                next.onGranted.run();
            }
        }
    }

    private boolean fits(Hold h) {
        for (var e : h.costs.entrySet()) {
            if (held.getOrDefault(e.getKey(), 0L) + e.getValue() > h.limits.get(e.getKey())) {
                return false;
            }
        }
        return true;
    }

    private void take(Hold h) {
        h.granted = true;
        for (var e : h.costs.entrySet()) {
            long now = held.merge(e.getKey(), e.getValue(), Long::sum);
            maxHeld.merge(e.getKey(), now, Math::max);
        }
    }

    /** Provisioning cost a build holds or waits for. */
    public final class Hold {
        private final Map<LimitKey, Long> costs = new HashMap<>();
        private final Map<LimitKey, Long> limits = new HashMap<>();
        private final Runnable onGranted;
        private boolean granted;

        private Hold(Target target, Map<String, Long> requested, Runnable onGranted) {
            this.onGranted = onGranted;
            LimitsTable table = limitsOf(target);
            for (var e : requested.entrySet()) {
                Limit limit = table.limit(e.getKey()).orElse(null);
                if (limit != null && limit.spec() instanceof LimitSpec.Concurrency c) {
                    LimitKey key = LimitKey.of(target, limit);
                    costs.put(key, e.getValue());
                    limits.put(key, c.maxCost());
                }
            }
        }
    }

    /** The build registered its image. */
    public synchronized boolean createImage(Target target, String name, String buildId) {
        Long limit = quotaLimit(target, Demand.IMAGES);
        long count = imagesPerTarget.getOrDefault(target.key(), 0L);
        if (limit != null && count + outside(target, Demand.IMAGES) >= limit) {
            quotaBreaches++;
            return false;
        }
        if (images.put(target.key() + "|" + name, buildId) == null) {
            imagesPerTarget.merge(target.key(), 1L, Long::sum);
        }
        return true;
    }

    // ---------------------------------------------------------------- counters

    /** Calls the cloud refused for rate: the number Kiln exists to keep at zero. */
    public synchronized long throttles() {
        return throttles;
    }

    /** Throttles by limit. */
    public synchronized Map<String, Long> throttlesByLimit() {
        return Map.copyOf(throttlesByLimit);
    }

    /** Instances or images refused for quota. */
    public synchronized long quotaBreaches() {
        return quotaBreaches;
    }

    /** Provisioning operations that had to queue behind a cost limit (vCenter host or datastore). */
    public synchronized long queuedOperations() {
        return queued;
    }

    /** The most provisioning cost ever held at once, by limit. */
    public synchronized Map<String, Long> maxHeldCost() {
        Map<String, Long> out = new TreeMap<>();
        maxHeld.forEach((k, v) -> out.put(k.toString(), v));
        return out;
    }

    public synchronized long calls() {
        return calls;
    }

    /** Resources still tagged with {@code buildId}. */
    public synchronized Set<String> resourcesOf(String buildId) {
        return Set.copyOf(resourcesByBuild.getOrDefault(buildId, Set.of()));
    }

    /** Settles every limit up to now, so throttles from polling since the last event are counted. */
    public synchronized void settle() {
        for (var e : live.entrySet()) {
            long t = e.getValue().settle(time.nanoTime(), time.now());
            if (t > 0) {
                throttlesByLimit.merge(e.getKey().toString(), t, Long::sum);
                throttles += t;
            }
        }
    }

    /** The provider's limits, with the shapes this target's own limits take instead. */
    private LimitsTable limitsOf(Target target) {
        LimitsTable table = models.get(target.provider()).limits;
        Map<String, LimitSpec> overrides = limitOverrides.getOrDefault(target.key(), Map.of());
        if (overrides.isEmpty()) {
            return table;
        }
        return limitsByTarget.computeIfAbsent(target.key(), k -> {
            Map<String, LimitSpec> known = new LinkedHashMap<>();
            overrides.forEach((name, spec) -> {
                if (table.limit(name).isPresent()) {
                    known.put(name, spec);
                }
            });
            return table.withOverrides(known);
        });
    }

    /**
     * What a call of {@code api} on {@code target} charges, made once per target and API: a big
     * plan's prediction makes millions of calls on a few thousand (target, API) pairs.
     */
    private Map<LimitKey, Double> chargesFor(Target target, String api) {
        // Looked up without lambdas: this runs for every simulated call, and a capturing lambda is an allocation.
        Map<String, Map<LimitKey, Double>> byApi = charges.get(target);
        if (byApi == null) {
            byApi = new HashMap<>();
            charges.put(target, byApi);
        }
        Map<LimitKey, Double> out = byApi.get(api);
        if (out == null) {
            out = charges(target, api);
            byApi.put(api, out);
        }
        return out;
    }

    private Map<LimitKey, Double> charges(Target target, String api) {
        LimitsTable table = limitsOf(target);
        Map<LimitKey, Double> out = new LinkedHashMap<>();
        for (Charge c : table.chargesFor(api)) {
            Limit limit = table.limit(c.limit()).orElse(null);
            if (limit == null || limit.spec() instanceof LimitSpec.Concurrency) {
                continue;
            }
            LimitKey key = LimitKey.of(target, limit);
            live.computeIfAbsent(key, k -> SimLimit.of(limit.spec(), time.nanoTime()));
            out.merge(key, c.tokens(), Double::sum);
        }
        return Collections.unmodifiableMap(out);
    }

    private Long quotaLimit(Target target, String metric) {
        Map<String, Long> specific = quotaOverrides.get(target.key());
        if (specific != null && specific.containsKey(metric)) {
            return specific.get(metric);
        }
        Map<String, Long> provider = quotaOverrides.get(target.provider());
        if (provider != null && provider.containsKey(metric)) {
            return provider.get(metric);
        }
        return defaultQuotas.get(metric);
    }

    private long outside(Target target, String metric) {
        return outsideUsage.getOrDefault(target.key(), Map.of()).getOrDefault(metric, 0L);
    }

    private synchronized QuotaSnapshot snapshot(Target target) {
        Map<String, Quota> quotas = new LinkedHashMap<>();
        Set<String> metrics = new HashSet<>(defaultQuotas.keySet());
        metrics.addAll(quotaOverrides.getOrDefault(target.provider(), Map.of()).keySet());
        metrics.addAll(quotaOverrides.getOrDefault(target.key(), Map.of()).keySet());
        Map<String, Long> used = usage.getOrDefault(target.key(), Map.of());
        for (String metric : metrics) {
            long inUse = used.getOrDefault(metric, 0L) + outside(target, metric);
            if (metric.equals(Demand.IMAGES)) {
                inUse = imagesPerTarget.getOrDefault(target.key(), 0L) + outside(target, metric);
            }
            quotas.put(metric, new Quota(metric, Scope.REGION, quotaLimit(target, metric), inUse));
        }
        return new QuotaSnapshot(target, time.now(), quotas);
    }

    private synchronized SweepReport sweepBuild(String buildId) {
        if (sweepsToFail > 0) {
            sweepsToFail--;
            return new SweepReport(List.of(), List.of("everything of " + buildId + ": the cloud answered 500"));
        }
        List<String> deleted = new ArrayList<>(resourcesByBuild.getOrDefault(buildId, Set.of()));
        free(buildId);
        resourcesByBuild.remove(buildId);
        // An image a failed or interrupted build registered goes too: its retry reuses the name.
        for (var it = images.entrySet().iterator(); it.hasNext(); ) {
            var image = it.next();
            if (image.getValue().equals(buildId)) {
                it.remove();
                String target = image.getKey().substring(0, image.getKey().indexOf('|'));
                imagesPerTarget.merge(target, -1L, Long::sum);
                deleted.add("image/" + image.getKey().substring(image.getKey().indexOf('|') + 1));
            }
        }
        return new SweepReport(deleted, List.of());
    }

    /** How the cloud looks to Kiln for one provider id. Its own calls go through Kiln's gate. */
    private final class View implements CloudProvider {
        private final String id;
        private final String readApi;
        private volatile ProviderContext context;

        View(String id) {
            this.id = id;
            this.readApi = Map.of("aws", "DescribeImages", "azure", "resource.read", "gcp", "read")
                    .getOrDefault(id, "read");
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public void start(ProviderContext ctx) {
            this.context = ctx;
        }

        /** One read call to the cloud, through Kiln's gate when there is one. */
        private void read(Target target) {
            ProviderContext ctx = context;
            if (ctx != null) {
                try {
                    ctx.gate(target).acquire(readApi);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for the API budget", e);
                }
            }
            call(target, readApi, 1);
        }

        @Override
        public LimitsTable apiLimits(Target target) {
            return models.get(id).limits;
        }

        @Override
        public CostModel costModel(ImageSpec image, Target target) {
            return models.get(id).cost;
        }

        @Override
        public QuotaSnapshot probeQuotas(Target target) {
            read(target);
            return snapshot(target);
        }

        @Override
        public boolean imageExists(Target target, String name) {
            read(target);
            synchronized (SimulatedCloud.this) {
                return images.containsKey(target.key() + "|" + name);
            }
        }

        @Override
        public ArtifactCheck verifyArtifact(BuildJob job, List<Artifact> artifacts) {
            read(job.target());
            synchronized (SimulatedCloud.this) {
                boolean nullBuild = artifacts.stream().anyMatch(a -> NULL_BUILDER_ID.equals(a.builderId()));
                if (acceptNullBuilds && nullBuild && !images.containsKey(job.target().key() + "|" + job.imageName())) {
                    createImage(job.target(), job.imageName(), job.buildId());
                }
                String owner = images.get(job.target().key() + "|" + job.imageName());
                if (owner == null || !owner.equals(job.buildId())) {
                    return ArtifactCheck.failed("no image named " + job.imageName() + " in " + job.target().key());
                }
                return ArtifactCheck.ok(List.of(job.target().region() + ":" + job.imageName()));
            }
        }

        @Override
        public SweepReport sweep(Target target, String buildId) {
            read(target);
            return sweepBuild(buildId);
        }

        @Override
        public Map<String, String> packerEnv(Target target, Budget budget) {
            return Map.of("KILN_SIMULATED_PROVIDER", id);
        }

        @Override
        public String toString() {
            return "SimulatedCloud.provider(" + id + ")";
        }
    }

    private record ProviderModel(LimitsTable limits, CostModel cost) {
    }

    private record Allocation(Target target, Demand demand) {
    }

    /** Configures a {@link SimulatedCloud}. */
    public static final class Builder {
        private final TimeSource time;
        private boolean acceptNullBuilds;
        private final Map<String, ProviderModel> models = new LinkedHashMap<>();
        private final Map<String, Long> defaultQuotas = new HashMap<>();
        private final Map<String, Map<String, Long>> quotaOverrides = new HashMap<>();
        private final Map<String, Map<String, Long>> outsideUsage = new HashMap<>();
        private final Map<String, Map<String, LimitSpec>> limitOverrides = new HashMap<>();
        private int failingSweeps;

        private Builder(TimeSource time) {
            this.time = time;
            provider("aws", ProviderDefaults.aws(), ProviderDefaults.awsEbs());
            provider("azure", ProviderDefaults.azure(), ProviderDefaults.azureArm());
            provider("gcp", ProviderDefaults.gcp(), ProviderDefaults.gcpCompute());
            provider("vsphere", ProviderDefaults.vsphere("datastore1"), ProviderDefaults.vsphereClone("datastore1"));
            defaultQuotas.put(Demand.VCPUS, 64L);
            defaultQuotas.put(Demand.INSTANCES, 100L);
            defaultQuotas.put(Demand.IMAGES, 1000L);
            defaultQuotas.put(Demand.DISK_GB, 100_000L);
        }

        /** Adds or replaces a provider: its true limits and the true cost of one of its builds. */
        public Builder provider(String id, LimitsTable limits, CostModel cost) {
            models.put(id, new ProviderModel(limits, cost));
            return this;
        }

        /**
         * Real packer builds with the null builder stand in for cloud builds: when one reports its
         * (null) artifact, the cloud registers the image it would have made. For running real
         * packer processes under simulated limits, as the demo fleet does.
         */
        public Builder acceptNullBuilds() {
            this.acceptNullBuilds = true;
            return this;
        }

        /** Only these provider ids. */
        public Builder only(String... ids) {
            models.keySet().retainAll(Set.of(ids));
            return this;
        }

        /** A quota every target gets unless overridden. */
        public Builder defaultQuota(String metric, long limit) {
            defaultQuotas.put(metric, limit);
            return this;
        }

        /** A quota for a provider id or a target key ({@code aws/123/us-east-1}). */
        public Builder quota(String providerOrTarget, String metric, long limit) {
            quotaOverrides.computeIfAbsent(providerOrTarget, k -> new HashMap<>()).put(metric, limit);
            return this;
        }

        /**
         * On the target {@code targetKey}, the cloud's limits named in {@code overrides} take those
         * shapes: an account whose limits were raised (or lowered), as a plan's {@code limits:} say.
         * Names the provider's table does not have are ignored.
         */
        public Builder limits(String targetKey, Map<String, LimitSpec> overrides) {
            limitOverrides.put(targetKey, Map.copyOf(overrides));
            return this;
        }

        /** Usage by something other than Kiln on a target. */
        public Builder outsideUsage(String targetKey, String metric, long amount) {
            outsideUsage.computeIfAbsent(targetKey, k -> new HashMap<>()).put(metric, amount);
            return this;
        }

        /** The first {@code sweeps} sweeps fail and delete nothing, as when the cloud's API is down. */
        public Builder failingSweeps(int sweeps) {
            this.failingSweeps = sweeps;
            return this;
        }

        public SimulatedCloud build() {
            return new SimulatedCloud(this);
        }
    }

    /** One of the cloud's own limits, tracked analytically between events. */
    private abstract static class SimLimit {
        double rate;

        static SimLimit of(LimitSpec spec, long now) {
            if (spec instanceof LimitSpec.TokenBucket tb) {
                return new SimBucket(tb, now);
            }
            return new SimWindow((LimitSpec.FixedWindow) spec);
        }

        /** Brings the level up to {@code now}; returns calls throttled since the last settle. */
        abstract long settle(long nowNanos, Instant now);

        /** {@code n} calls at once; returns how many were throttled. */
        abstract long call(double n, long nowNanos, Instant now);
    }

    private static final class SimBucket extends SimLimit {
        private final LimitSpec.TokenBucket spec;
        private double level;
        private long last;

        SimBucket(LimitSpec.TokenBucket spec, long now) {
            this.spec = spec;
            this.level = spec.capacity();
            this.last = now;
        }

        @Override
        long settle(long nowNanos, Instant now) {
            double dt = (nowNanos - last) / 1e9;
            last = nowNanos;
            if (dt <= 0) {
                return 0;
            }
            double net = spec.refillPerSecond() - rate;
            if (net >= 0) {
                level = Math.min(spec.capacity(), level + net * dt);
                return 0;
            }
            level += net * dt;
            if (level < 0) {
                long throttled = (long) Math.ceil(-level - 1e-9);
                level = 0;
                return throttled;
            }
            return 0;
        }

        @Override
        long call(double n, long nowNanos, Instant now) {
            long throttled = settle(nowNanos, now);
            level -= n;
            if (level < -1e-9) {
                throttled += (long) Math.ceil(-level - 1e-9);
                level = 0;
            }
            return throttled;
        }
    }

    private static final class SimWindow extends SimLimit {
        private final LimitSpec.FixedWindow spec;
        private Instant windowStart;
        private double count;
        private long throttledInWindow;
        private Instant last;

        SimWindow(LimitSpec.FixedWindow spec) {
            this.spec = spec;
        }

        @Override
        long settle(long nowNanos, Instant now) {
            if (last == null) {
                last = now;
                windowStart = startOf(now);
                return 0;
            }
            long throttled = 0;
            Instant cursor = last;
            while (cursor.isBefore(now)) {
                Instant end = windowStart.plus(spec.window());
                Instant sliceEnd = end.isBefore(now) ? end : now;
                count += rate * Duration.between(cursor, sliceEnd).toNanos() / 1e9;
                throttled += over();
                cursor = sliceEnd;
                if (!sliceEnd.isBefore(end)) {
                    windowStart = end;
                    count = 0;
                    throttledInWindow = 0;
                }
            }
            last = now;
            return throttled;
        }

        @Override
        long call(double n, long nowNanos, Instant now) {
            long throttled = settle(nowNanos, now);
            count += n;
            return throttled + over();
        }

        private long over() {
            long excess = (long) Math.ceil(count - spec.limit() - 1e-9);
            if (excess > throttledInWindow) {
                long fresh = excess - throttledInWindow;
                throttledInWindow = excess;
                return fresh;
            }
            return 0;
        }

        private Instant startOf(Instant t) {
            long windowNanos = spec.window().toNanos();
            long epochNanos = t.getEpochSecond() * 1_000_000_000L + t.getNano();
            long start = Math.floorDiv(epochNanos, windowNanos) * windowNanos;
            return Instant.ofEpochSecond(Math.floorDiv(start, 1_000_000_000L), Math.floorMod(start, 1_000_000_000L));
        }
    }
}
