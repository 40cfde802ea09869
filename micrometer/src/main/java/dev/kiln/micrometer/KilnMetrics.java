package dev.kiln.micrometer;

import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.job.JobState;
import dev.kiln.limits.Quota;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Kiln's events as Micrometer meters: builds by state and by outcome, the queue, waits, each API
 * limit's tokens, throttles, and each target's quota headroom. A {@link KilnListener} and a
 * {@link MeterBinder}: register it with Kiln and bind it to any registry, in either order.
 *
 * <pre>{@code
 * KilnMetrics metrics = new KilnMetrics();
 * metrics.bindTo(registry);
 * Kiln kiln = Kiln.builder().listener(metrics)...build();
 * }</pre>
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 * <tr><td>{@code kiln.builds}</td><td>gauge</td><td>state</td><td>builds of active runs in each non-terminal state</td></tr>
 * <tr><td>{@code kiln.queue.depth}</td><td>gauge</td><td></td><td>builds waiting to start (limits, quota, slots, dependencies)</td></tr>
 * <tr><td>{@code kiln.builds.finished}</td><td>counter</td><td>provider, outcome, failure</td><td>builds that ended</td></tr>
 * <tr><td>{@code kiln.build.wait}</td><td>timer</td><td>provider, target</td><td>each stretch a build waited</td></tr>
 * <tr><td>{@code kiln.build.attempt}</td><td>timer</td><td>provider, outcome</td><td>each packer run</td></tr>
 * <tr><td>{@code kiln.budget.tokens}</td><td>gauge</td><td>scope, limit</td><td>tokens (window units, cost) left, from BudgetSample</td></tr>
 * <tr><td>{@code kiln.budget.capacity}</td><td>gauge</td><td>scope, limit</td><td>the most the limit holds</td></tr>
 * <tr><td>{@code kiln.budget.rate}</td><td>gauge</td><td>scope, limit</td><td>its current sustained rate per second (adaptive)</td></tr>
 * <tr><td>{@code kiln.budget.reserved.rate}</td><td>gauge</td><td>scope, limit</td><td>the rate running builds' polling holds</td></tr>
 * <tr><td>{@code kiln.throttles}</td><td>counter</td><td>scope, limit</td><td>throttles seen</td></tr>
 * <tr><td>{@code kiln.gate.calls}</td><td>counter</td><td>target, api</td><td>packer's own calls through Kiln's gate, by API class</td></tr>
 * <tr><td>{@code kiln.gate.predicted}</td><td>counter</td><td>target, api</td><td>the calls the builds' cost models predicted, for comparison</td></tr>
 * <tr><td>{@code kiln.gate.retries}, {@code kiln.gate.throttled}</td><td>counter</td><td>target, api</td><td>retries packer's SDKs made on their own; throttles that still came back</td></tr>
 * <tr><td>{@code kiln.gate.held}</td><td>timer</td><td>target, api</td><td>how long the gate held a build's calls of the class for Kiln's limits</td></tr>
 * <tr><td>{@code kiln.quota.limit}, {@code kiln.quota.usage}</td><td>gauge</td><td>target, metric</td><td>as probed in preflight</td></tr>
 * <tr><td>{@code kiln.quota.reserved}</td><td>gauge</td><td>target, metric</td><td>what running builds hold</td></tr>
 * <tr><td>{@code kiln.quota.headroom}</td><td>gauge</td><td>target, metric</td><td>limit minus usage minus reserved</td></tr>
 * </table>
 *
 * <p>Everything is derived from events and their timestamps, so the meters read the same in
 * virtual time. Thread-safe.
 */
public final class KilnMetrics implements KilnListener, MeterBinder {

    private static final List<JobState> LIVE = List.of(JobState.QUEUED, JobState.PREFLIGHT, JobState.WAITING,
            JobState.RUNNING, JobState.SWEEPING, JobState.RETRY_WAIT);

    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
    private final List<Consumer<MeterRegistry>> meters = new CopyOnWriteArrayList<>();
    private final Map<String, Value> values = new ConcurrentHashMap<>();

    private final Map<String, JobState> states = new HashMap<>();
    private final Map<String, String> runOfJob = new HashMap<>();
    private final Map<String, Instant> waitingSince = new HashMap<>();
    private final Map<String, Map<String, Long>> held = new HashMap<>();
    private final Map<String, String> targetOfJob = new HashMap<>();
    private final Map<String, Quota> probed = new HashMap<>();
    private final Map<String, Long> reserved = new HashMap<>();
    private final Map<String, Instant> attemptStart = new HashMap<>();

    public KilnMetrics() {
        for (JobState s : LIVE) {
            gauge("kiln.builds", "Builds of active runs in this state", Tags.of("state", lower(s)));
        }
        gauge("kiln.queue.depth", "Builds waiting to start: API budget, quota, host slots or dependencies",
                Tags.empty());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        registries.add(registry);
        for (Consumer<MeterRegistry> m : meters) {
            m.accept(registry);
        }
    }

    @Override
    public synchronized void onEvent(KilnEvent event) {
        if (event instanceof KilnEvent.JobStateChanged e) {
            moved(e);
        } else if (event instanceof KilnEvent.BuildStarted e) {
            targetOfJob.put(key(e.runId(), e.jobId()), e.target());
            Map<String, Long> demand = new HashMap<>(e.demand());
            held.put(key(e.runId(), e.jobId()), demand);
            demand.forEach((metric, amount) -> reserve(e.target(), metric, amount));
        } else if (event instanceof KilnEvent.BuildEnded e) {
            Instant started = attemptStart.remove(key(e.runId(), e.jobId()));
            if (started != null) {
                timer("kiln.build.attempt", "Each packer run of a build", Tags.of("provider", provider(e.jobId()),
                        "outcome", e.succeeded() ? "succeeded" : "failed")).record(Duration.between(started, e.at()));
            }
        } else if (event instanceof KilnEvent.BudgetSample e) {
            Tags tags = limitTags(e.limit());
            gauge("kiln.budget.tokens", "Tokens (window units, cost) the limit has left", tags).set(e.available());
            gauge("kiln.budget.capacity", "The most the limit holds", tags).set(e.capacity());
            gauge("kiln.budget.rate", "The limit's current sustained rate per second", tags).set(e.ratePerSecond());
            gauge("kiln.budget.reserved.rate", "The rate running builds' polling holds", tags)
                    .set(e.reservedRatePerSecond());
        } else if (event instanceof KilnEvent.ThrottleObserved e) {
            counter("kiln.throttles", "Throttles seen: the number Kiln exists to keep at zero", limitTags(e.limit()))
                    .increment();
        } else if (event instanceof KilnEvent.ApiCallsMetered e) {
            e.byApi().forEach((api, use) -> {
                Tags tags = Tags.of("target", e.target(), "api", api.isEmpty() ? "unlimited" : api);
                counter("kiln.gate.calls", "packer's own calls through Kiln's gate", tags).increment(use.calls());
                counter("kiln.gate.predicted", "The calls the builds' cost models predicted", tags)
                        .increment(use.predicted());
                counter("kiln.gate.retries", "Retries packer's SDKs made on their own", tags)
                        .increment(use.retries());
                counter("kiln.gate.throttled", "Throttles that came back through Kiln's gate", tags)
                        .increment(use.throttled());
                timer("kiln.gate.held", "How long the gate held a build's calls for Kiln's limits", tags)
                        .record(Duration.ofMillis(use.heldMillis()));
            });
        } else if (event instanceof KilnEvent.QuotaProbed e) {
            for (Quota q : e.quotas().values()) {
                probed.put(e.target() + "\n" + q.metric(), q);
                Tags tags = Tags.of("target", e.target(), "metric", q.metric());
                gauge("kiln.quota.limit", "The quota, as probed in preflight", tags).set(q.limit());
                gauge("kiln.quota.usage", "Usage by anyone, as probed in preflight", tags).set(q.usage());
                headroom(e.target(), q.metric());
            }
        } else if (event instanceof KilnEvent.RunFinished e) {
            forget(e.runId());
        }
    }

    private void moved(KilnEvent.JobStateChanged e) {
        String job = key(e.runId(), e.jobId());
        runOfJob.put(job, e.runId());
        JobState before = states.get(job);
        if (before != null && LIVE.contains(before)) {
            gauge("kiln.builds", "", Tags.of("state", lower(before))).add(-1);
        }
        if (LIVE.contains(e.to())) {
            gauge("kiln.builds", "", Tags.of("state", lower(e.to()))).add(1);
            states.put(job, e.to());
        } else {
            states.remove(job);
        }
        Instant since = waitingSince.remove(job);
        if (since != null) {
            gauge("kiln.queue.depth", "", Tags.empty()).add(-1);
            timer("kiln.build.wait", "Each stretch a build waited to start", Tags.of("provider", provider(e.jobId()),
                    "target", target(e.jobId()))).record(Duration.between(since, e.at()));
        }
        if (e.to() == JobState.WAITING) {
            waitingSince.put(job, e.at());
            gauge("kiln.queue.depth", "", Tags.empty()).add(1);
        }
        if (e.to() == JobState.RUNNING) {
            attemptStart.put(job, e.at());
        }
        if (e.to() == JobState.SUCCEEDED || e.to() == JobState.RETRY_WAIT || e.to().isTerminal()) {
            release(job);
        }
        if (e.to().isTerminal()) {
            String failure = e.to() == JobState.FAILED ? failureOf(e.reason()) : "none";
            counter("kiln.builds.finished", "Builds that ended, by outcome", Tags.of("provider", provider(e.jobId()),
                    "outcome", lower(e.to()), "failure", failure)).increment();
        }
    }

    private void release(String job) {
        Map<String, Long> demand = held.remove(job);
        String target = targetOfJob.get(job);
        if (demand != null && target != null) {
            demand.forEach((metric, amount) -> reserve(target, metric, -amount));
        }
    }

    private void reserve(String target, String metric, long amount) {
        long now = reserved.merge(target + "\n" + metric, amount, Long::sum);
        gauge("kiln.quota.reserved", "What running builds hold of the quota", Tags.of("target", target, "metric",
                metric)).set(now);
        headroom(target, metric);
    }

    private void headroom(String target, String metric) {
        Quota q = probed.get(target + "\n" + metric);
        if (q == null) {
            return;
        }
        long held = reserved.getOrDefault(target + "\n" + metric, 0L);
        gauge("kiln.quota.headroom", "Quota left: limit minus usage at preflight minus what running builds hold",
                Tags.of("target", target, "metric", metric)).set(Math.max(0, q.limit() - q.usage() - held));
    }

    private void forget(String runId) {
        List<String> done = new ArrayList<>();
        runOfJob.forEach((job, run) -> {
            if (run.equals(runId)) {
                done.add(job);
            }
        });
        for (String job : done) {
            JobState s = states.remove(job);
            if (s != null && LIVE.contains(s)) {
                gauge("kiln.builds", "", Tags.of("state", lower(s))).add(-1);
            }
            if (waitingSince.remove(job) != null) {
                gauge("kiln.queue.depth", "", Tags.empty()).add(-1);
            }
            release(job);
            runOfJob.remove(job);
            targetOfJob.remove(job);
            attemptStart.remove(job);
        }
    }

    // ------------------------------------------------------------------ meters

    private Value gauge(String name, String help, Tags tags) {
        String id = id(name, tags);
        Value existing = values.get(id);
        if (existing != null) {
            return existing;
        }
        Value v = new Value();
        values.put(id, v);
        define(r -> Gauge.builder(name, v, Value::get).description(help).tags(tags).strongReference(true)
                .register(r));
        return v;
    }

    private CompositeCounter counter(String name, String help, Tags tags) {
        String id = id(name, tags);
        if (values.putIfAbsent(id, new Value()) == null) {
            define(r -> Counter.builder(name).description(help).tags(tags).register(r));
        }
        return new CompositeCounter(name, tags);
    }

    private CompositeTimer timer(String name, String help, Tags tags) {
        String id = id(name, tags);
        if (values.putIfAbsent(id, new Value()) == null) {
            define(r -> Timer.builder(name).description(help).tags(tags).register(r));
        }
        return new CompositeTimer(name, tags);
    }

    private void define(Consumer<MeterRegistry> meter) {
        meters.add(meter);
        for (MeterRegistry r : registries) {
            meter.accept(r);
        }
    }

    /** Counts on the counter of every bound registry. */
    private final class CompositeCounter {
        private final String name;
        private final Tags tags;

        CompositeCounter(String name, Tags tags) {
            this.name = name;
            this.tags = tags;
        }

        void increment() {
            increment(1);
        }

        void increment(double amount) {
            for (MeterRegistry r : registries) {
                r.counter(name, tags).increment(amount);
            }
        }
    }

    /** Records on the timer of every bound registry. */
    private final class CompositeTimer {
        private final String name;
        private final Tags tags;

        CompositeTimer(String name, Tags tags) {
            this.name = name;
            this.tags = tags;
        }

        void record(Duration d) {
            for (MeterRegistry r : registries) {
                r.timer(name, tags).record(d.isNegative() ? Duration.ZERO : d);
            }
        }
    }

    /** A gauge's value. */
    private static final class Value {
        private double value;

        synchronized double get() {
            return value;
        }

        synchronized void set(double v) {
            value = v;
        }

        synchronized void add(double d) {
            value += d;
        }
    }

    // ------------------------------------------------------------------ names

    private static String id(String name, Tags tags) {
        StringBuilder sb = new StringBuilder(name);
        tags.forEach(t -> sb.append('\n').append(t.getKey()).append('=').append(t.getValue()));
        return sb.toString();
    }

    private static String key(String runId, String jobId) {
        return runId + "\n" + jobId;
    }

    private static Tags limitTags(String limit) {
        int hash = limit.lastIndexOf('#');
        return hash < 0 ? Tags.of("scope", "", "limit", limit)
                : Tags.of("scope", limit.substring(0, hash), "limit", limit.substring(hash + 1));
    }

    /** Job ids are {@code image/provider/account/region/env}. */
    private static String provider(String jobId) {
        String[] parts = jobId.split("/");
        return parts.length >= 5 ? parts[1] : "unknown";
    }

    private static String target(String jobId) {
        String[] parts = jobId.split("/");
        return parts.length >= 5 ? String.join("/", java.util.Arrays.copyOfRange(parts, 1, parts.length - 1))
                : "unknown";
    }

    /** A FAILED move's reason starts with the failure class when a build failed; preflight's do not. */
    private static String failureOf(String reason) {
        int colon = reason.indexOf(':');
        String head = colon > 0 ? reason.substring(0, colon) : reason;
        return head.matches("[A-Z_]+") ? head : "refused";
    }

    private static String lower(JobState s) {
        return s.name().toLowerCase(Locale.ROOT);
    }
}
