package dev.kiln.spi;

import java.util.List;

/**
 * A provider's verdict on the artifacts packer reported.
 *
 * @param verified image ids confirmed usable and tagged
 * @param problems what is wrong (missing, not available, untagged); empty when all is well
 */
public record ArtifactCheck(List<String> verified, List<String> problems) {

    public ArtifactCheck {
        verified = List.copyOf(verified);
        problems = List.copyOf(problems);
    }

    public static ArtifactCheck ok(List<String> verified) {
        return new ArtifactCheck(verified, List.of());
    }

    public static ArtifactCheck failed(String problem) {
        return new ArtifactCheck(List.of(), List.of(problem));
    }

    public boolean ok() {
        return problems.isEmpty() && !verified.isEmpty();
    }
}
