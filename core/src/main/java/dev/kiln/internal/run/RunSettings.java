package dev.kiln.internal.run;

import dev.kiln.RunFiles;
import dev.kiln.Scheduling;
import dev.kiln.Sharing;
import dev.kiln.event.KilnListener;
import dev.kiln.limits.LimitsTable;
import dev.kiln.plan.Target;
import dev.kiln.spi.BuildNetwork;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.Coordination;
import dev.kiln.spi.PackerRunner;
import dev.kiln.time.TimeSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * What a run is configured with: a {@code Kiln}'s collaborators and its groups of settings.
 *
 * @param providerExecutor where provider calls (verify, sweep, diagnose) run, and builds start when
 *                         the runner starts them side by side; null runs both on the loop thread
 *                         (virtual time, where they take no time)
 * @param network          how packer reaches its clouds; null when directly, unmetered
 * @param plannedLimits    told the limits of each target the run keeps to (the plan's overrides), so
 *                         the providers' own calls keep to them too
 */
public record RunSettings(TimeSource time, Coordination coordination, PackerRunner runner,
                          Map<String, CloudProvider> providers, List<KilnListener> listeners, Executor providerExecutor,
                          RunFiles files, Scheduling scheduling, Sharing sharing, BuildNetwork network,
                          BiConsumer<Target, LimitsTable> plannedLimits) {

    public RunSettings {
        providers = Map.copyOf(providers);
        listeners = List.copyOf(listeners);
    }

    /** Settings of a run whose packer reaches its clouds directly. */
    public RunSettings(TimeSource time, Coordination coordination, PackerRunner runner,
                       Map<String, CloudProvider> providers, List<KilnListener> listeners, Executor providerExecutor,
                       RunFiles files, Scheduling scheduling, Sharing sharing) {
        this(time, coordination, runner, providers, listeners, providerExecutor, files, scheduling, sharing, null,
                (target, table) -> { });
    }
}
