package dev.kiln.vsphere;

import dev.kiln.KilnException;
import java.net.URI;

/**
 * A vCenter refused or failed a call Kiln made. Carries what answered and how: the vCenter, the
 * operation ({@code GET /api/vcenter/datastore}), the HTTP status and vCenter's error type
 * ({@code NOT_FOUND}, {@code UNAUTHENTICATED}...). The message never holds credentials.
 */
public final class VsphereException extends KilnException {

    private static final long serialVersionUID = 1L;

    private final URI vcenter;
    private final String operation;
    private final int status;
    private final String errorType;

    /**
     * @param vcenter   the vCenter called
     * @param operation method and path, without the query
     * @param status    the HTTP status, or 0 when no answer came
     * @param errorType vCenter's error type, or null when it named none
     * @param message   the whole message
     */
    public VsphereException(URI vcenter, String operation, int status, String errorType, String message,
            Throwable cause) {
        super(message, cause);
        this.vcenter = vcenter;
        this.operation = operation;
        this.status = status;
        this.errorType = errorType;
    }

    /** The vCenter that answered (or did not). */
    public URI vcenter() {
        return vcenter;
    }

    /** The call, e.g. {@code GET /api/vcenter/datastore}. */
    public String operation() {
        return operation;
    }

    /** The HTTP status vCenter answered; 0 when the call got no answer (connection, TLS). */
    public int status() {
        return status;
    }

    /** vCenter's error type, e.g. {@code NOT_FOUND}, or a vim25 fault's, e.g. {@code InvalidPowerState}; null when there was none. */
    public String errorType() {
        return errorType;
    }

    /**
     * Whether trying again later may succeed: vCenter did not answer, or answered that it is busy or
     * unavailable (429, 502, 503, 504). Kiln's preflight tries such a call again with backoff.
     */
    @Override
    public boolean isTransient() {
        return status == 0 || status == 429 || status == 502 || status == 503 || status == 504;
    }

    /** Whether vCenter said the object does not exist (REST's NOT_FOUND, vim25's ManagedObjectNotFound). */
    public boolean notFound() {
        return status == 404 || "NOT_FOUND".equals(errorType) || "ManagedObjectNotFound".equals(errorType);
    }
}
