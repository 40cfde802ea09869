package dev.kiln.spi;

import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs packer builds. The default runs real {@code packer} processes; a simulated runner stands
 * in for planning and benchmarks.
 *
 * <p>Stability: evolving SPI.
 */
public interface PackerRunner {

    /**
     * Checks the installation against the plan before anything starts: packer version and plugin
     * pins, {@code packer validate} of each template. Returns refusals; empty when all is well.
     */
    List<Refusal> preflight(BuildPlan plan, Path runDirectory);

    /**
     * As {@link #preflight(BuildPlan, Path)}, validating each template in the environment its builds
     * will have: {@code environment} gives a job's, from its provider's {@link CloudProvider#packerEnv}
     * (a template that reads where to build from it, as vSphere's do, validates only with it). By
     * default the environment is not used.
     */
    default List<Refusal> preflight(BuildPlan plan, Path runDirectory,
            Function<BuildJob, Map<String, String>> environment) {
        return preflight(plan, runDirectory);
    }

    /**
     * Starts one build and returns at once. Exactly one {@link BuildCallbacks#onExit} follows,
     * whatever happens, including cancellation and timeout.
     */
    BuildHandle start(BuildRequest request, BuildCallbacks callbacks);

    /**
     * Whether {@link #start} may be called on a thread of the run's, several at once. A runner whose
     * start does real work (a workspace, files, a process) says yes, and a run then starts the builds
     * it admits side by side, not one after another, learning each one's handle when its start
     * returns; callbacks may come before then. A runner whose builds live on the request's
     * {@link BuildRequest#timers() timers} (a simulation) must say no: those belong to the run's
     * thread. By default no.
     */
    default boolean startsConcurrently() {
        return false;
    }

    /**
     * Whether builds need a workspace and log file on disk. Simulated runners say no, so a
     * simulation of thousands of builds writes nothing.
     */
    default boolean needsWorkspace() {
        return true;
    }

    /** A one-line description for reports, e.g. {@code packer 1.6.6 at /usr/bin/packer}. */
    String describe();

    /**
     * As {@link #describe()}, for the run whose directory is {@code runDirectory}: a runner may keep
     * what describing cost it (packer's version) beside the runs, so that the runs after need not ask
     * again. By default {@link #describe()}.
     */
    default String describe(Path runDirectory) {
        return describe();
    }
}
