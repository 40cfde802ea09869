package dev.kiln.spi;

import dev.kiln.job.FailureClass;
import dev.kiln.packer.Artifact;
import java.util.List;
import java.util.Optional;

/**
 * How one attempt ended.
 *
 * @param exitCode  packer's exit code (0 = success); -1 when it was killed
 * @param artifacts artifacts reported, from the stream or the manifest
 * @param errors    error lines packer printed (redacted), last ones last
 * @param timedOut  killed at its timeout
 * @param cancelled stopped on request
 * @param failure   the runner's own classification when it knows better than the output
 *                  (simulated runners), else empty and Kiln classifies
 * @param buildStarted packer got past reading its template and ran a builder step: a failure with
 *                  nothing more telling is then not the template's fault
 */
public record BuildExit(int exitCode, List<Artifact> artifacts, List<String> errors, boolean timedOut,
                        boolean cancelled, Optional<FailureClass> failure, boolean buildStarted) {

    public BuildExit {
        artifacts = List.copyOf(artifacts);
        errors = List.copyOf(errors);
    }

    /** An exit of a runner that does not tell whether a build started. */
    public BuildExit(int exitCode, List<Artifact> artifacts, List<String> errors, boolean timedOut,
                     boolean cancelled, Optional<FailureClass> failure) {
        this(exitCode, artifacts, errors, timedOut, cancelled, failure, false);
    }

    public boolean succeeded() {
        return exitCode == 0 && !timedOut && !cancelled;
    }

    public static BuildExit success(List<Artifact> artifacts) {
        return new BuildExit(0, artifacts, List.of(), false, false, Optional.empty());
    }
}
