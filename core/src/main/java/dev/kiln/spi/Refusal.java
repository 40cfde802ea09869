package dev.kiln.spi;

/**
 * A reason preflight will not start a build (or any build).
 *
 * @param subject what is refused: a job id, a template path, or {@code packer}
 * @param kind    the family of reason
 * @param message what was expected, what was found, and what to do
 */
public record Refusal(String subject, Kind kind, String message) {

    /** Families of preflight refusal. */
    public enum Kind {
        /** packer is missing or its version is outside the plan's range. */
        PACKER_VERSION,
        /** A plugin is missing, at another version, or its checksum differs. */
        PLUGIN_DRIFT,
        /** {@code packer validate} rejected a template. */
        TEMPLATE_INVALID,
        /** The build's demand exceeds the quota even with nothing else running. */
        QUOTA_NEVER_FITS,
        /** The image name exists already or is reserved by another run. */
        NAME_TAKEN,
        /** No provider is registered for the target, or it could not be reached. */
        PROVIDER_UNAVAILABLE
    }

    @Override
    public String toString() {
        return subject + ": " + message;
    }
}
