package dev.kiln.gcp.internal;

/** The labels a build's resources carry; templates set them from {@code kiln_build_id} and {@code kiln_expires_at}. */
public final class Labels {

    /** The build id, on everything a build creates. */
    public static final String BUILD_ID = "kiln-build-id";
    /** The build's expiry, epoch seconds; expiry sweeps look for it. */
    public static final String EXPIRES_AT = "kiln-expires-at";

    private Labels() {
    }
}
