package dev.kiln.spi;

import java.util.Objects;
import java.util.Set;

/**
 * A reason preflight will not start a build (or any build).
 *
 * @param subject what is refused: a job id, a template path, or {@code packer}
 * @param kind    the family of reason
 * @param message what was expected, what was found, and what to do: the part that matters, as
 *                events, reports and progress show it
 * @param detail  everything the refusing party said (all of {@code packer validate}'s output, say),
 *                secrets masked, for whoever asks for more ({@code kiln plan --verbose}); the
 *                message itself when there is nothing more
 * @param jobs    the ids of the jobs it refuses, when it names them (a template validated with the
 *                variables of some builds refuses those builds only); empty when the subject says which
 */
public record Refusal(String subject, Kind kind, String message, String detail, Set<String> jobs) {

    public Refusal {
        Objects.requireNonNull(kind, "kind");
        detail = detail == null || detail.isBlank() ? message : detail;
        jobs = jobs == null ? Set.of() : Set.copyOf(jobs);
    }

    /** A refusal of what its subject names. */
    public Refusal(String subject, Kind kind, String message, String detail) {
        this(subject, kind, message, detail, Set.of());
    }

    /** A refusal whose message says all there is. */
    public Refusal(String subject, Kind kind, String message) {
        this(subject, kind, message, message);
    }

    /** Families of preflight refusal. */
    public enum Kind {
        /** packer is missing or its version is outside the plan's range. */
        PACKER_VERSION,
        /** A plugin is missing, at another version, or its checksum differs. */
        PLUGIN_DRIFT,
        /** {@code packer validate} rejected a template: invalid input, like a plan error. */
        TEMPLATE_INVALID,
        /** The build's demand exceeds the quota even with nothing else running. */
        QUOTA_NEVER_FITS,
        /** The image name exists already or is reserved by another run. */
        NAME_TAKEN,
        /** No provider is registered for the target, or it could not be reached. */
        PROVIDER_UNAVAILABLE,
        /**
         * The provider found no credentials, or its cloud rejected them ({@link CredentialsException}):
         * the message names the provider and where it reads credentials from.
         */
        CREDENTIALS
    }

    @Override
    public String toString() {
        return subject + ": " + message;
    }
}
