package dev.kiln.internal.run;

import dev.kiln.event.ApiUse;
import dev.kiln.event.KilnEvent;
import dev.kiln.internal.limits.Allowances;
import dev.kiln.limits.ApiCost;
import dev.kiln.limits.Charge;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.Limit;
import dev.kiln.limits.LimitKey;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.plan.Target;
import dev.kiln.spi.ApiRequest;
import dev.kiln.spi.ApiResponse;
import dev.kiln.spi.BuildMeter;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.Coordination;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One build attempt's calls as Kiln's network carries them: each classified by the build's
 * provider, held until the limits of its API class allow it (drawing first on what admission
 * prepaid for the build, then on the shared buckets and windows), and counted; a throttle that
 * comes back all the same slows its limits at once.
 *
 * <p>Thread-safe: the network calls it from its threads; what reaches the run goes through its
 * inbox.
 */
final class MeteredCalls implements BuildMeter {

    private static final Logger LOG = LoggerFactory.getLogger(MeteredCalls.class);
    /** Calls to an API host that fall in none of the provider's limited classes (token requests). */
    static final String UNLIMITED = "";
    /** How close to its end a window's call may reach the cloud in the next window. */
    private static final Duration WINDOW_EDGE = Duration.ofMillis(500);

    private final RunContext run;
    private final JobRun job;
    private final int attempt;
    private final CloudProvider provider;
    private final Target target;
    private final LimitsTable table;
    private final String holder;
    private final Allowances allowances;
    private final BiConsumer<JobRun, String> onThrottle;
    private final TimeSource time;
    private final Coordination store;
    private final long startedNanos;
    private final Map<String, long[]> uses = new TreeMap<>();
    private final List<String> problems = new ArrayList<>();

    /** {@code onThrottle} hears, on the run's loop, each throttle of an API class. */
    MeteredCalls(RunContext run, JobRun job, int attempt, BiConsumer<JobRun, String> onThrottle) {
        this.run = run;
        this.job = job;
        this.attempt = attempt;
        this.provider = job.provider();
        this.target = job.job().target();
        this.table = job.limits();
        this.holder = job.holder();
        this.allowances = run.limits().allowances();
        this.onThrottle = onThrottle;
        this.time = run.time();
        this.store = run.store();
        this.startedNanos = time.nanoTime();
    }

    @Override
    public void before(ApiRequest request) throws InterruptedException {
        String api = classify(request);
        if (api.equals(UNLIMITED)) {
            return;
        }
        long start = time.nanoTime();
        for (Charge charge : table.chargesFor(api)) {
            Limit limit = table.limit(charge.limit()).orElse(null);
            if (limit == null || limit.spec() instanceof LimitSpec.Concurrency) {
                continue;
            }
            LimitKey key = LimitKey.of(target, limit);
            if (limit.spec() instanceof LimitSpec.TokenBucket tb) {
                long wait;
                while ((wait = run.limits().tryRelease(holder, key, tb, charge.tokens())) > 0) {
                    time.sleep(Duration.ofNanos(wait));
                }
                continue;
            }
            LimitSpec.FixedWindow fw = (LimitSpec.FixedWindow) limit.spec();
            double owed = charge.tokens() - allowances.draw(holder, key, charge.tokens(),
                    windowStart(time.now(), fw.window().toNanos()));
            if (owed > 1e-9) {
                Gates.take(time, store, key, fw, owed);
            }
            straddle(key, fw, charge.tokens());
        }
        count(api, 0, 0, time.nanoTime() - start);
    }

    /**
     * A call released in a window's last moments may reach the cloud in the next one: it is counted
     * there too, so neither window takes more than its limit, whichever the cloud counts it in.
     */
    private void straddle(LimitKey key, LimitSpec.FixedWindow fw, double calls) {
        long windowNanos = fw.window().toNanos();
        Instant now = time.now();
        Instant start = windowStart(now, windowNanos);
        Instant next = start.plusNanos(windowNanos);
        if (Duration.between(now, next).compareTo(WINDOW_EDGE) < 0) {
            store.rates().tryCountInWindow(key, next, (long) Math.ceil(calls), Long.MAX_VALUE);
        }
    }

    @Override
    public void after(ApiRequest request, ApiResponse response) {
        String api = classify(request);
        if (!api.equals(UNLIMITED)) {
            answered(api);
        }
        boolean throttled = !response.byNetwork() && provider.isThrottle(request, response);
        count(api, 1, request.retry() ? 1 : 0, 0);
        if (throttled) {
            throttled(api);
        }
        if (!response.byNetwork()) {
            provider.remaining(response).forEach((limitName, left) -> table.limit(limitName).ifPresent(
                    limit -> Gates.remaining(store, LimitKey.of(target, limit), limit.spec(), left)));
        }
    }

    /**
     * The cloud has counted the call, whatever it answered. An answer the network gave in the cloud's
     * place counts as well: the call never went, or went long enough ago (the gate's response
     * timeout) that the cloud has counted it if it ever will.
     */
    private void answered(String api) {
        for (Charge charge : table.chargesFor(api)) {
            Limit limit = table.limit(charge.limit()).orElse(null);
            if (limit != null && limit.spec() instanceof LimitSpec.TokenBucket tb) {
                run.limits().answered(holder, LimitKey.of(target, limit), tb, charge.tokens());
            }
        }
    }

    private void throttled(String api) {
        synchronized (uses) {
            uses.computeIfAbsent(api, a -> new long[4])[2]++;
        }
        run.post(() -> onThrottle.accept(job, api.isEmpty() ? null : api));
    }

    @Override
    public void problem(String host, String message) {
        synchronized (problems) {
            if (problems.size() < 20) {
                problems.add(message);
            }
        }
        run.post(() -> run.emit(new KilnEvent.NetworkProblem(time.now(), run.runId(), job.id(), attempt, host,
                message)));
    }

    /** The last problem the network had with this build's calls, if any. */
    Optional<String> lastProblem() {
        synchronized (problems) {
            return problems.isEmpty() ? Optional.empty() : Optional.of(problems.get(problems.size() - 1));
        }
    }

    /** What the attempt made of each API class, next to what its cost model predicted for the time it ran. */
    KilnEvent.ApiCallsMetered summary() {
        Map<String, ApiUse> byApi = new LinkedHashMap<>();
        synchronized (uses) {
            uses.forEach((api, u) -> byApi.put(api, new ApiUse(u[0], u[1], u[2], u[3] / 1_000_000, 0)));
        }
        CostModel cost = job.cost();
        if (cost != null) {
            double minutes = (time.nanoTime() - startedNanos) / 60e9;
            for (ApiCost c : cost.calls()) {
                double predicted = c.atStart() + c.atEnd() + c.perMinute() * minutes;
                byApi.merge(c.api(), new ApiUse(0, 0, 0, 0, predicted), ApiUse::plus);
            }
        }
        return new KilnEvent.ApiCallsMetered(time.now(), run.runId(), job.id(), attempt, target.key(), byApi);
    }

    private void count(String api, long calls, long retries, long heldNanos) {
        synchronized (uses) {
            long[] u = uses.computeIfAbsent(api, a -> new long[4]);
            u[0] += calls;
            u[1] += retries;
            u[3] += heldNanos;
        }
    }

    private String classify(ApiRequest request) {
        try {
            return provider.classify(request).orElse(UNLIMITED);
        } catch (RuntimeException e) {
            LOG.warn("provider {} could not classify {}: {}", provider.id(), request, e.getClass().getName());
            return UNLIMITED;
        }
    }

    private static Instant windowStart(Instant t, long windowNanos) {
        long epochNanos = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
        long start = Math.floorDiv(epochNanos, windowNanos) * windowNanos;
        return Instant.ofEpochSecond(Math.floorDiv(start, 1_000_000_000L), Math.floorMod(start, 1_000_000_000L));
    }
}
