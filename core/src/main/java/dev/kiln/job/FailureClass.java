package dev.kiln.job;

/**
 * Why a build failed, as far as its exit code and output tell. Drives the retry policy: permanent
 * classes are never retried, because running the same build again gives the same answer.
 */
public enum FailureClass {
    /** The provider refused calls for rate: retry after backoff. */
    THROTTLED(true),
    /** A quota was exhausted (vCPUs, images): retry once the ledger has room. */
    QUOTA(true),
    /** The provider had no capacity for the instance type or zone: retry. */
    CAPACITY(true),
    /**
     * The provider's API could not be reached: its name did not resolve, the connection was refused,
     * reset or timed out. Says nothing about the template; retried like other transient failures.
     */
    NETWORK(true),
    /** SSH/WinRM never connected: usually network or security groups; retried. */
    COMMUNICATOR_TIMEOUT(true),
    /** A provisioner script failed; retried a configurable number of times (flaky mirrors...). */
    PROVISIONER_FAILED(true),
    /** Credentials missing, expired or not allowed: never retried. */
    AUTH(false),
    /** The template or its variables are wrong: never retried. */
    TEMPLATE_INVALID(false),
    /** The image name is taken: never retried. */
    NAME_COLLISION(false),
    /** Killed after exceeding its timeout. */
    TIMED_OUT(true),
    /** packer reported an artifact the provider cannot confirm. */
    ARTIFACT_UNVERIFIED(true),
    /** Anything else. */
    UNKNOWN(true);

    private final boolean retryable;

    FailureClass(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether another attempt can ever help. */
    public boolean isRetryable() {
        return retryable;
    }
}
