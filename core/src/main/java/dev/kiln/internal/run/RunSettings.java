package dev.kiln.internal.run;

import dev.kiln.event.KilnListener;
import dev.kiln.job.FailureClass;
import dev.kiln.limits.AdaptiveRateConfig;
import dev.kiln.spi.BuildExit;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.Coordination;
import dev.kiln.spi.PackerRunner;
import dev.kiln.time.TimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * What a run is configured with; assembled by {@code Kiln.Builder}.
 *
 * @param providerExecutor where provider calls (verify, sweep, diagnose) run; null runs them on
 *                         the loop thread (virtual time, where they take no time)
 * @param node             this process's node id; {@code Coordination.LOCAL_NODE} runs alone, any
 *                         other id leases every job through the store so many nodes share a run
 * @param leaseTtl         how long a job lease and a node heartbeat live without renewal
 * @param watchInterval    how often a node checks jobs another node (or run) is building
 * @param reuseBuilds      whether a build identical to one another run is building waits for and
 *                         reuses its result
 * @param writeReports     whether a run with an event log also leaves its reports (JUnit XML,
 *                         HTML, Markdown) in its directory when it ends
 */
public record RunSettings(TimeSource time, Coordination coordination, PackerRunner runner,
                          Map<String, CloudProvider> providers, List<KilnListener> listeners, Path runsDirectory,
                          int hostSlots, Duration gracePeriod, AdaptiveRateConfig adaptive, double steadyShare,
                          Duration sampleInterval, Executor providerExecutor, long seed,
                          Function<BuildExit, FailureClass> classifier, boolean writeEventLog, String node,
                          Duration leaseTtl, Duration watchInterval, boolean reuseBuilds, boolean writeReports) {

    public RunSettings {
        providers = Map.copyOf(providers);
        listeners = List.copyOf(listeners);
    }

    /** Settings that write no reports, for code that assembles a run by hand (benchmarks). */
    public RunSettings(TimeSource time, Coordination coordination, PackerRunner runner,
                       Map<String, CloudProvider> providers, List<KilnListener> listeners, Path runsDirectory,
                       int hostSlots, Duration gracePeriod, AdaptiveRateConfig adaptive, double steadyShare,
                       Duration sampleInterval, Executor providerExecutor, long seed,
                       Function<BuildExit, FailureClass> classifier, boolean writeEventLog, String node,
                       Duration leaseTtl, Duration watchInterval, boolean reuseBuilds) {
        this(time, coordination, runner, providers, listeners, runsDirectory, hostSlots, gracePeriod, adaptive,
                steadyShare, sampleInterval, providerExecutor, seed, classifier, writeEventLog, node, leaseTtl,
                watchInterval, reuseBuilds, false);
    }
}
