package dev.kiln.spi;

import dev.kiln.time.TimeSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the packer processes of a run reach their clouds' APIs. Without one (the default) packer
 * calls its clouds directly and Kiln only predicts its traffic from each build's cost model. With
 * one (kiln-gate's {@code GateNetwork}), every call packer's SDKs make to a provider's API hosts
 * passes Kiln first: classified by the build's provider ({@link CloudProvider#classify}), held until
 * Kiln's limit of its API class allows it, and counted.
 *
 * <p>Kiln opens it once per run, before the first build, and closes it when the run ends; each
 * build attempt is connected on its own, with its own {@link BuildMeter}.
 *
 * <p>Stability: evolving SPI.
 */
public interface BuildNetwork {

    /** Opens this network for one run. */
    RunNetwork open(Context context);

    /**
     * What Kiln tells a network about the run it opens for.
     *
     * @param runId        the run
     * @param runDirectory the run's directory (0700), for files the network needs (a CA bundle)
     * @param time         the run's time source
     * @param apiHosts     each provider's API hosts ({@link CloudProvider#apiHosts()}), by provider id:
     *                     the calls a network meters
     */
    record Context(String runId, Path runDirectory, TimeSource time, Map<String, List<String>> apiHosts) {
        public Context {
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(runDirectory, "runDirectory");
            Objects.requireNonNull(time, "time");
            apiHosts = Map.copyOf(apiHosts);
        }
    }

    /** A network open for one run. */
    interface RunNetwork extends AutoCloseable {

        /**
         * Connects one build attempt, called {@code name} (its build id and attempt): the
         * environment its packer process gets, whose API calls go through {@code meter}.
         */
        Connection connect(String name, BuildMeter meter);

        /** One line for the run's journal, e.g. {@code kiln gate on 127.0.0.1:41234}. */
        String describe();

        /** Stops carrying calls; connections still open are cut. */
        @Override
        void close();
    }

    /** One build attempt's way out. */
    interface Connection extends AutoCloseable {

        /** What the build's packer process gets in its environment (proxy, CA bundle...). */
        Map<String, String> env();

        /** Values in {@link #env()} that are secret (a proxy token): redacted wherever they appear. */
        List<String> secrets();

        /** The build attempt is over: its later calls are refused. */
        @Override
        void close();
    }
}
