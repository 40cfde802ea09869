package dev.kiln;

import dev.kiln.job.FailureClass;
import dev.kiln.limits.AdaptiveRateConfig;
import dev.kiln.packer.FailureClassifier;
import dev.kiln.spi.BuildExit;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * How builds are started, paced and ended on this host.
 *
 * <pre>{@code
 * Kiln.builder().scheduling(s -> s.withHostSlots(8).withGracePeriod(Duration.ofMinutes(2)))
 * }</pre>
 *
 * @param hostSlots            how many packer processes may run at once on this host; 16 by default
 * @param gracePeriod          how long packer gets to clean up after an interrupt before it is
 *                             killed; 30 s by default
 * @param adaptiveRate         how limits slow down on throttles and recover
 * @param steadyShare          the share of each limit's sustained rate running builds' polling may
 *                             take; the rest is kept for start and teardown bursts. 0.9 by default
 * @param budgetSampleInterval how often limit levels are sampled for reports; null turns sampling
 *                             off. 5 s by default
 * @param seed                 seed of the retry jitter, so simulated runs repeat exactly
 * @param classifier           classifies failed builds from their exit; packer's output patterns by
 *                             default
 * @param forecast             whether a run, once preflight is done, simulates itself and records
 *                             what it expects (makespan, each build's start) for its report to show
 *                             beside what happened; on by default
 */
public record Scheduling(int hostSlots, Duration gracePeriod, AdaptiveRateConfig adaptiveRate, double steadyShare,
                         Duration budgetSampleInterval, long seed, Function<BuildExit, FailureClass> classifier,
                         boolean forecast) {

    public static final Scheduling DEFAULT = new Scheduling(16, Duration.ofSeconds(30), AdaptiveRateConfig.DEFAULT,
            0.9, Duration.ofSeconds(5), 1,
            exit -> FailureClassifier.standard().classify(exit, exit.errors()).failure(), true);

    public Scheduling {
        if (hostSlots < 1) {
            throw new IllegalArgumentException("host slots must be at least 1, got " + hostSlots);
        }
        if (!(steadyShare > 0 && steadyShare <= 1)) {
            throw new IllegalArgumentException("steady share must be in (0, 1], got " + steadyShare);
        }
        Objects.requireNonNull(gracePeriod, "grace");
        Objects.requireNonNull(adaptiveRate, "config");
        Objects.requireNonNull(classifier, "classifier");
    }

    public Scheduling withHostSlots(int slots) {
        return new Scheduling(slots, gracePeriod, adaptiveRate, steadyShare, budgetSampleInterval, seed, classifier,
                forecast);
    }

    public Scheduling withGracePeriod(Duration grace) {
        return new Scheduling(hostSlots, grace, adaptiveRate, steadyShare, budgetSampleInterval, seed, classifier,
                forecast);
    }

    public Scheduling withAdaptiveRate(AdaptiveRateConfig config) {
        return new Scheduling(hostSlots, gracePeriod, config, steadyShare, budgetSampleInterval, seed, classifier,
                forecast);
    }

    public Scheduling withSteadyShare(double share) {
        return new Scheduling(hostSlots, gracePeriod, adaptiveRate, share, budgetSampleInterval, seed, classifier,
                forecast);
    }

    /** {@code null} turns sampling off. */
    public Scheduling withBudgetSampleInterval(Duration interval) {
        return new Scheduling(hostSlots, gracePeriod, adaptiveRate, steadyShare, interval, seed, classifier,
                forecast);
    }

    public Scheduling withSeed(long jitterSeed) {
        return new Scheduling(hostSlots, gracePeriod, adaptiveRate, steadyShare, budgetSampleInterval, jitterSeed,
                classifier, forecast);
    }

    public Scheduling withClassifier(Function<BuildExit, FailureClass> failures) {
        return new Scheduling(hostSlots, gracePeriod, adaptiveRate, steadyShare, budgetSampleInterval, seed,
                failures, forecast);
    }

    public Scheduling withForecast(boolean on) {
        return new Scheduling(hostSlots, gracePeriod, adaptiveRate, steadyShare, budgetSampleInterval, seed, classifier,
                on);
    }
}
