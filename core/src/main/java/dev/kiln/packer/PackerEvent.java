package dev.kiln.packer;

import java.time.Instant;
import java.util.List;

/**
 * A typed line of {@code packer build -machine-readable} output. Parsing never fails: a line that
 * is not machine-readable becomes {@link Unparsed}.
 */
public sealed interface PackerEvent {

    /** When packer stamped the line (second resolution). */
    Instant at();

    /** {@code ui,say}: a headline such as {@code ==> amazon-ebs: Creating temporary keypair}. */
    record Say(Instant at, String build, String text) implements PackerEvent {
    }

    /** {@code ui,message}: provisioner and builder detail output. */
    record Message(Instant at, String build, String text) implements PackerEvent {
    }

    /** {@code ui,error}: an error packer shows the user. */
    record Error(Instant at, String build, String text) implements PackerEvent {
    }

    /** An artifact, assembled from its {@code artifact,N,...} lines when {@code artifact,N,end} arrives. */
    record ArtifactReady(Instant at, Artifact artifact) implements PackerEvent {
    }

    /** {@code error-count} at the end of a run, or a build's {@code error} line. */
    record BuildErrored(Instant at, String build, String text) implements PackerEvent {
    }

    /** {@code Build 'x' finished ...}: one build of the run is done. */
    record BuildFinished(Instant at, String build) implements PackerEvent {
    }

    /** Any other machine-readable line (type and data fields as packer wrote them). */
    record Other(Instant at, String target, String type, List<String> data) implements PackerEvent {
        public Other {
            data = List.copyOf(data);
        }
    }

    /** A line that is not in machine-readable form (packer's own crash output, plugin noise...). */
    record Unparsed(Instant at, String line) implements PackerEvent {
    }
}
