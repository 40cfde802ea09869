package dev.kiln.report;

import dev.kiln.KilnException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.internal.run.EventLogReader;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.limits.Quota;
import dev.kiln.spi.Refusal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A run as its events tell it: every build with its phases (waiting, running, sweeping, waiting to
 * retry) and attempts, the API budget samples and throttles per limit, the quotas probed and what
 * preflight refused. The one model every report ({@link Reports}) is drawn from.
 *
 * <p>Read one from a run directory's {@code events.jsonl} with {@link #read(Path)}, or collect one
 * while a run goes with {@link #collector()}. A run that crashed still reads: its report ends at
 * its last event. Immutable.
 */
public final class RunReport {

    private final String runId;
    private final String plan;
    private final Path runDirectory;
    private final String packer;
    private final Instant startedAt;
    private final Instant endedAt;
    private final boolean finished;
    private final List<Build> builds;
    private final List<LimitSeries> budgets;
    private final List<Throttle> throttles;
    private final List<Refusal> refusals;
    private final Map<String, Map<String, Quota>> quotas;
    private final Forecast forecast;

    private RunReport(Collector c) {
        this.runId = c.runId == null ? "unknown" : c.runId;
        this.plan = c.plan == null ? "unknown" : c.plan;
        this.runDirectory = c.runDirectory;
        this.packer = c.packer == null ? "" : c.packer;
        this.startedAt = c.startedAt == null ? (c.last == null ? Instant.EPOCH : c.last) : c.startedAt;
        this.endedAt = c.finishedAt != null ? c.finishedAt : (c.last == null ? this.startedAt : c.last);
        this.finished = c.finishedAt != null;
        List<Build> b = new ArrayList<>();
        for (BuildDraft d : c.builds.values()) {
            b.add(d.build(endedAt, c.refusals));
        }
        this.builds = List.copyOf(b);
        List<LimitSeries> series = new ArrayList<>();
        c.samples.forEach((limit, samples) -> series.add(new LimitSeries(limit, samples)));
        this.budgets = List.copyOf(series);
        this.throttles = List.copyOf(c.throttles);
        this.refusals = List.copyOf(c.refusals);
        Map<String, Map<String, Quota>> q = new LinkedHashMap<>();
        c.quotas.forEach((k, v) -> q.put(k, Map.copyOf(v)));
        this.quotas = Collections.unmodifiableMap(q);
        this.forecast = c.forecast;
    }

    /**
     * Reads a run from its directory (or from an {@code events.jsonl} file directly).
     *
     * @throws KilnException when there is no event log there or it cannot be read
     */
    public static RunReport read(Path runDirectoryOrEventLog) {
        Path file = Files.isDirectory(runDirectoryOrEventLog) ? runDirectoryOrEventLog.resolve("events.jsonl")
                : runDirectoryOrEventLog;
        if (!Files.exists(file)) {
            throw new KilnException("no run at " + runDirectoryOrEventLog + ": expected a run directory holding"
                    + " events.jsonl (they are under the runs directory, kiln-runs/<run-id> by default)");
        }
        Collector c = collector();
        EventLogReader.read(file).forEach(c::onEvent);
        if (c.runDirectory == null && Files.isDirectory(runDirectoryOrEventLog)) {
            c.runDirectory = runDirectoryOrEventLog;
        }
        return c.report();
    }

    /** A report of {@code events}, in the order they happened. */
    public static RunReport of(List<? extends KilnEvent> events) {
        Collector c = collector();
        events.forEach(c::onEvent);
        return c.report();
    }

    /** A listener that gathers a run's events; {@link Collector#report()} gives the report so far. */
    public static Collector collector() {
        return new Collector();
    }

    public String runId() {
        return runId;
    }

    /** The plan's name. */
    public String plan() {
        return plan;
    }

    /** Where the run's files are, when the events say. */
    public Optional<Path> runDirectory() {
        return Optional.ofNullable(runDirectory);
    }

    /** What ran packer, e.g. {@code packer 1.6.6 at /usr/bin/packer}. */
    public String packer() {
        return packer;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** When the run finished, or its last event when it did not. */
    public Instant endedAt() {
        return endedAt;
    }

    /** Whether the run recorded its end; false for a run that is still going or crashed. */
    public boolean finished() {
        return finished;
    }

    public Duration elapsed() {
        return Duration.between(startedAt, endedAt);
    }

    /** Every build, in plan order. */
    public List<Build> builds() {
        return builds;
    }

    /** Budget samples per limit, in the order limits were first sampled. */
    public List<LimitSeries> budgets() {
        return budgets;
    }

    public List<Throttle> throttles() {
        return throttles;
    }

    public List<Refusal> refusals() {
        return refusals;
    }

    /** Quotas probed in preflight, by target key, then metric. */
    public Map<String, Map<String, Quota>> quotas() {
        return quotas;
    }

    /** What the run expected once preflight was done, when it forecast itself. */
    public Optional<Forecast> forecast() {
        return Optional.ofNullable(forecast);
    }

    /** When {@code build} first started, after the run's start; empty when it never started. */
    public Optional<Duration> startOf(Build build) {
        return build.attempts().stream().findFirst().map(a -> Duration.between(startedAt, a.started()));
    }

    /** When the forecast said {@code build} would first start, after the run's start. */
    public Optional<Duration> forecastStartOf(Build build) {
        return forecast().flatMap(f -> Optional.ofNullable(f.starts().get(build.jobId()))
                .map(d -> Duration.between(startedAt, f.at()).plus(d)));
    }

    /**
     * How long the run took from its forecast to its end, over the forecast's makespan: 1.0 came
     * true, 1.1 took 10 % longer. Preflight, which came before the forecast, is not counted.
     */
    public OptionalDouble forecastRatio() {
        if (forecast == null || forecast.makespan().isZero()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of((double) Duration.between(forecast.at(), endedAt).toMillis()
                / forecast.makespan().toMillis());
    }

    /** Builds by their state (terminal ones once the run finished). */
    public Map<JobState, Integer> counts() {
        Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
        for (Build b : builds) {
            counts.merge(b.state(), 1, Integer::sum);
        }
        return counts;
    }

    /** Every build ended SUCCEEDED. */
    public boolean allSucceeded() {
        return !builds.isEmpty() && builds.stream().allMatch(b -> b.state() == JobState.SUCCEEDED);
    }

    @Override
    public String toString() {
        return "RunReport[" + runId + ", " + plan + ", " + builds.size() + " builds]";
    }

    /**
     * One build of the run.
     *
     * @param jobId     {@code image/provider/account/region/env}
     * @param target    {@code provider/account/region}
     * @param image     the image's short name
     * @param env       the environment
     * @param imageName the rendered image name, or null when the build never started
     * @param buildId   the id its resources are tagged with, or null when it never started
     * @param state     its last state
     * @param failure   why it failed, or null
     * @param message   the last failure or refusal in words; empty otherwise
     * @param phases    the time it spent in each state, in order
     * @param attempts  each packer run
     * @param artifacts what packer reported (provider ids)
     * @param verified  what the provider confirmed
     * @param swept     resources sweeps removed
     * @param diagnosis what sweeps could not remove, and other notes; empty when none
     * @param log       the last attempt's log, or null
     */
    public record Build(String jobId, String target, String image, String env, String imageName, String buildId,
                        JobState state, FailureClass failure, String message, List<Phase> phases,
                        List<Attempt> attempts, List<String> artifacts, List<String> verified, List<String> swept,
                        List<String> diagnosis, Path log) {

        public Build {
            phases = List.copyOf(phases);
            attempts = List.copyOf(attempts);
            artifacts = List.copyOf(artifacts);
            verified = List.copyOf(verified);
            swept = List.copyOf(swept);
            diagnosis = List.copyOf(diagnosis);
            message = message == null ? "" : message;
        }

        /** The provider id, from the target. */
        public String provider() {
            return target.substring(0, target.indexOf('/'));
        }

        /** The region (or vSphere cluster), from the target. */
        public String region() {
            return target.substring(target.lastIndexOf('/') + 1);
        }

        public String account() {
            return target.substring(target.indexOf('/') + 1, target.lastIndexOf('/'));
        }

        /** Time spent waiting for limits, quota, slots or dependencies. */
        public Duration waited() {
            return total(JobState.WAITING);
        }

        /** Time packer ran, over all attempts. */
        public Duration ran() {
            return total(JobState.RUNNING);
        }

        public boolean succeeded() {
            return state == JobState.SUCCEEDED;
        }

        /** When it first waited or ran, or null when it never got that far. */
        public Instant firstActive() {
            for (Phase p : phases) {
                if (p.state() == JobState.WAITING || p.state() == JobState.RUNNING) {
                    return p.from();
                }
            }
            return null;
        }

        private Duration total(JobState s) {
            Duration d = Duration.ZERO;
            for (Phase p : phases) {
                if (p.state() == s) {
                    d = d.plus(p.duration());
                }
            }
            return d;
        }
    }

    /**
     * A stretch of time a build spent in one state.
     *
     * @param state   WAITING, RUNNING, SWEEPING or RETRY_WAIT (the states that take time)
     * @param from    when it entered the state
     * @param to      when it left, or the report's end
     * @param attempt the attempt it belongs to (0 before the first)
     * @param reason  why it waited, when it did (the last reason given)
     */
    public record Phase(JobState state, Instant from, Instant to, int attempt, String reason) {
        public Duration duration() {
            return Duration.between(from, to);
        }
    }

    /**
     * One packer run of a build.
     *
     * @param number    1 for the first
     * @param started   when packer started
     * @param ended     when it ended, or null if the report ends first
     * @param succeeded whether packer succeeded
     * @param failure   the classified cause when it did not, or null (cancelled)
     * @param message   packer's last error, or empty
     */
    public record Attempt(int number, Instant started, Instant ended, boolean succeeded, FailureClass failure,
                          String message) {
    }

    /**
     * What a run expected of itself, from a simulation of the builds preflight let through.
     *
     * @param at       when it was made: preflight was done, no build had started
     * @param makespan how long the run should take from then on
     * @param starts   when each build should first start, after {@code at}, by job id
     */
    public record Forecast(Instant at, Duration makespan, Map<String, Duration> starts) {
        public Forecast {
            starts = Collections.unmodifiableMap(new LinkedHashMap<>(starts));
        }
    }

    /**
     * Samples of one limit's level.
     *
     * @param limit   the limit's key, {@code scope#name}, e.g. {@code aws/123456789012/us-east-1#RunInstances}
     * @param samples in time order
     */
    public record LimitSeries(String limit, List<BudgetSample> samples) {
        public LimitSeries {
            samples = List.copyOf(samples);
        }

        /** The scope: {@code provider/account/region} or {@code provider/account}. */
        public String scope() {
            int hash = limit.lastIndexOf('#');
            return hash < 0 ? "" : limit.substring(0, hash);
        }

        /** The limit's name, e.g. {@code RunInstances}. */
        public String name() {
            return limit.substring(limit.lastIndexOf('#') + 1);
        }

        /** The largest share of the limit in use at any sample, 0 to 1. */
        public double peakUse() {
            double peak = 0;
            for (BudgetSample s : samples) {
                peak = Math.max(peak, s.used());
            }
            return peak;
        }
    }

    /**
     * One sample of a limit.
     *
     * @param at                    when
     * @param available             tokens (or window units, or cost) left
     * @param capacity              the most there can be
     * @param reservedRatePerSecond the steady polling running builds hold
     * @param ratePerSecond         the limit's current sustained rate
     */
    public record BudgetSample(Instant at, double available, double capacity, double reservedRatePerSecond,
                               double ratePerSecond) {
        /** Share in use, 0 to 1. */
        public double used() {
            if (capacity <= 0) {
                return 0;
            }
            return Math.max(0, Math.min(1, 1 - available / capacity));
        }
    }

    /** A throttle seen during the run. */
    public record Throttle(Instant at, String limit, String source) {
        public String scope() {
            int hash = limit.lastIndexOf('#');
            return hash < 0 ? "" : limit.substring(0, hash);
        }
    }

    /** Gathers events into a report; thread-safe, so it can listen to a live run. */
    public static final class Collector implements KilnListener {
        private String runId;
        private String plan;
        private Path runDirectory;
        private String packer;
        private Instant startedAt;
        private Instant finishedAt;
        private Forecast forecast;
        private Instant last;
        private final Map<String, BuildDraft> builds = new LinkedHashMap<>();
        private final Map<String, List<BudgetSample>> samples = new LinkedHashMap<>();
        private final List<Throttle> throttles = new ArrayList<>();
        private final List<Refusal> refusals = new ArrayList<>();
        private final Map<String, Map<String, Quota>> quotas = new LinkedHashMap<>();

        private Collector() {
        }

        @Override
        public synchronized void onEvent(KilnEvent event) {
            if (runId == null) {
                runId = event.runId();
            }
            if (last == null || event.at().isAfter(last)) {
                last = event.at();
            }
            if (event instanceof KilnEvent.RunStarted e) {
                plan = e.plan();
                runDirectory = e.runDirectory();
                packer = e.packer();
                startedAt = e.at();
            } else if (event instanceof KilnEvent.JobStateChanged e) {
                draft(e.jobId()).moved(e);
            } else if (event instanceof KilnEvent.JobWaiting e) {
                draft(e.jobId()).waiting(e);
            } else if (event instanceof KilnEvent.BuildStarted e) {
                draft(e.jobId()).started(e);
            } else if (event instanceof KilnEvent.BuildEnded e) {
                draft(e.jobId()).ended(e);
            } else if (event instanceof KilnEvent.ArtifactVerified e) {
                draft(e.jobId()).verified(e);
            } else if (event instanceof KilnEvent.Swept e) {
                draft(e.jobId()).swept(e);
            } else if (event instanceof KilnEvent.BudgetSample e) {
                samples.computeIfAbsent(e.limit(), k -> new ArrayList<>()).add(new BudgetSample(e.at(),
                        e.available(), e.capacity(), e.reservedRatePerSecond(), e.ratePerSecond()));
            } else if (event instanceof KilnEvent.ThrottleObserved e) {
                throttles.add(new Throttle(e.at(), e.limit(), e.source()));
            } else if (event instanceof KilnEvent.QuotaProbed e) {
                quotas.put(e.target(), e.quotas());
            } else if (event instanceof KilnEvent.Refused e) {
                refusals.add(new Refusal(e.subject(), kind(e.kind()), e.message()));
            } else if (event instanceof KilnEvent.RunForecast e) {
                Map<String, Duration> starts = new LinkedHashMap<>();
                e.startMillis().forEach((job, ms) -> starts.put(job, Duration.ofMillis(ms)));
                forecast = new Forecast(e.at(), Duration.ofMillis(e.makespanMillis()), starts);
            } else if (event instanceof KilnEvent.RunFinished e) {
                finishedAt = e.at();
            }
        }

        /** The report of the events seen so far. */
        public synchronized RunReport report() {
            return new RunReport(this);
        }

        private BuildDraft draft(String jobId) {
            return builds.computeIfAbsent(jobId, BuildDraft::new);
        }

        private static Refusal.Kind kind(String name) {
            for (Refusal.Kind k : Refusal.Kind.values()) {
                if (k.name().equals(name)) {
                    return k;
                }
            }
            return Refusal.Kind.PROVIDER_UNAVAILABLE;
        }
    }

    /** A build while its events come in. */
    private static final class BuildDraft {
        final String jobId;
        String target;
        final String image;
        final String env;
        String imageName;
        String buildId;
        JobState state = JobState.PLANNED;
        FailureClass failure;
        String message = "";
        final List<Phase> phases = new ArrayList<>();
        JobState openState;
        Instant openFrom;
        int openAttempt;
        String openReason = "";
        final List<Attempt> attempts = new ArrayList<>();
        final List<String> artifacts = new ArrayList<>();
        final List<String> verified = new ArrayList<>();
        final List<String> swept = new ArrayList<>();
        final List<String> diagnosis = new ArrayList<>();
        Path log;

        BuildDraft(String jobId) {
            this.jobId = jobId;
            // image/provider/account/region/env; an image name never holds '/', accounts might.
            String[] parts = jobId.split("/");
            if (parts.length >= 5) {
                image = parts[0];
                env = parts[parts.length - 1];
                target = String.join("/", Arrays.copyOfRange(parts, 1, parts.length - 1));
            } else {
                image = jobId;
                env = "";
                target = "unknown/unknown/unknown";
            }
        }

        void moved(KilnEvent.JobStateChanged e) {
            close(e.at());
            state = e.to();
            if (e.to() == JobState.WAITING || e.to() == JobState.RUNNING || e.to() == JobState.SWEEPING
                    || e.to() == JobState.RETRY_WAIT) {
                openState = e.to();
                openFrom = e.at();
                openAttempt = e.attempt();
                openReason = "";
            }
            if (e.to() == JobState.FAILED || e.to() == JobState.CANCELLED) {
                if (!e.reason().isEmpty() && message.isEmpty()) {
                    message = e.reason();
                }
            }
            if (e.to() == JobState.SUCCEEDED) {
                failure = null;
                message = "";
            }
        }

        void waiting(KilnEvent.JobWaiting e) {
            if (openState == JobState.WAITING) {
                openReason = e.reason();
            }
        }

        void started(KilnEvent.BuildStarted e) {
            imageName = e.imageName();
            if (e.buildId() != null) {
                buildId = e.buildId();
            }
            if (e.target() != null) {
                target = e.target();
            }
            log = e.log();
            attempts.add(new Attempt(e.attempt(), e.at(), null, false, null, ""));
        }

        void ended(KilnEvent.BuildEnded e) {
            int i = attempts.size() - 1;
            if (i >= 0 && attempts.get(i).number() == e.attempt()) {
                Attempt a = attempts.get(i);
                attempts.set(i, new Attempt(a.number(), a.started(), e.at(), e.succeeded(), e.failure(),
                        e.message()));
            }
            for (var a : e.artifacts()) {
                if (a.id() != null && !a.id().isBlank() && !artifacts.contains(a.id())) {
                    artifacts.add(a.id());
                }
            }
            if (!e.succeeded()) {
                if (e.failure() != null) {
                    failure = e.failure();
                }
                message = e.message();
            }
        }

        void verified(KilnEvent.ArtifactVerified e) {
            verified.addAll(e.verified());
            if (!e.problems().isEmpty()) {
                failure = FailureClass.ARTIFACT_UNVERIFIED;
                message = String.join("; ", e.problems());
            }
        }

        void swept(KilnEvent.Swept e) {
            swept.addAll(e.deleted());
            for (String f : e.failed()) {
                diagnosis.add("not swept: " + f);
            }
        }

        /** Preflight's refusals name no failure class in the events; they imply one. */
        private FailureClass refusedAs(List<Refusal> refusals) {
            FailureClass whole = null;
            for (Refusal r : refusals) {
                FailureClass c = switch (r.kind()) {
                    case NAME_TAKEN -> FailureClass.NAME_COLLISION;
                    case QUOTA_NEVER_FITS -> FailureClass.QUOTA;
                    case PACKER_VERSION, PLUGIN_DRIFT, TEMPLATE_INVALID -> FailureClass.TEMPLATE_INVALID;
                    case PROVIDER_UNAVAILABLE -> FailureClass.UNKNOWN;
                    case CREDENTIALS -> FailureClass.AUTH;
                };
                if (r.subject().equals(jobId)) {
                    return c;
                }
                if (r.kind() != Refusal.Kind.NAME_TAKEN && r.kind() != Refusal.Kind.QUOTA_NEVER_FITS
                        && r.kind() != Refusal.Kind.PROVIDER_UNAVAILABLE && r.kind() != Refusal.Kind.CREDENTIALS) {
                    whole = c;
                }
            }
            if (whole != null) {
                return whole;
            }
            return message.startsWith("can never start") ? FailureClass.QUOTA : FailureClass.UNKNOWN;
        }

        private void close(Instant at) {
            if (openState != null) {
                phases.add(new Phase(openState, openFrom, at, openAttempt, openReason));
                openState = null;
            }
        }

        Build build(Instant end, List<Refusal> refusals) {
            List<Phase> all = new ArrayList<>(phases);
            if (openState != null) {
                all.add(new Phase(openState, openFrom, end, openAttempt, openReason));
            }
            FailureClass f = state == JobState.SUCCEEDED ? null : failure;
            if (f == null && state == JobState.FAILED) {
                f = refusedAs(refusals);
            }
            String m = state == JobState.SUCCEEDED ? "" : message;
            return new Build(jobId, target, image, env, imageName, buildId, state, f, m, all, attempts, artifacts,
                    verified, swept, diagnosis, log);
        }
    }
}
