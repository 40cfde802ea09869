package dev.kiln.internal.packer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * A process runner's configuration, copied from its builder.
 *
 * @param executable     packer to run, or null to look for {@code KILN_PACKER}, then {@code packer} on PATH
 * @param pluginPath     PACKER_PLUGIN_PATH for every packer this runner starts, or null to leave it
 * @param extraEnv       environment added to Kiln's for every packer this runner starts
 * @param withheldEnv    variables of Kiln's environment no packer this runner starts inherits
 * @param commandTimeout limit for short commands ({@code version}, {@code validate}, {@code kill}) and for
 *                       killed processes to disappear
 * @param drainTimeout   how long output may stay open after packer exited before the build ends anyway
 * @param validate       whether preflight runs {@code packer validate}
 * @param standIns       whether every build runs as packer's null builder and no packer reaches past loopback
 *                       (a simulated run)
 * @param cacheDirectory where the cache of what packer told Kiln ({@code .kiln-cache}) is kept, or null for
 *                       the runs directory of each run
 */
public record RunnerSettings(Path executable, Path pluginPath, Map<String, String> extraEnv, Set<String> withheldEnv,
                             Duration commandTimeout, Duration drainTimeout, boolean validate,
                             boolean standIns, Path cacheDirectory) {

    public RunnerSettings {
        extraEnv = Map.copyOf(extraEnv);
        withheldEnv = Set.copyOf(withheldEnv);
    }
}
