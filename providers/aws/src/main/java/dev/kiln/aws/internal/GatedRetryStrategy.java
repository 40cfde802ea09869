package dev.kiln.aws.internal;

import dev.kiln.KilnException;
import dev.kiln.spi.ApiGate;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.AcquireInitialTokenResponse;
import software.amazon.awssdk.retries.api.RecordSuccessRequest;
import software.amazon.awssdk.retries.api.RecordSuccessResponse;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenResponse;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;

/**
 * The SDK's own retry strategy (STANDARD, ADAPTIVE...) deciding whether and when to retry, with
 * two changes: every failed attempt that was a throttle is reported to Kiln's gate, even when a
 * retry then succeeds; and the wait before a retry happens in Kiln's time source, followed by the
 * gate's own wait, so a retry is one more call Kiln's limiter counts, never a call behind its back.
 *
 * <p>The SDK's synchronous clients run the whole call, retries included, on the calling thread:
 * the call being made is told through a thread-local {@link Scope}.
 */
final class GatedRetryStrategy implements RetryStrategy {

    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    private final RetryStrategy delegate;

    GatedRetryStrategy(RetryStrategy delegate) {
        this.delegate = delegate;
    }

    /** Makes {@code scope} the current call of this thread; returns the one it replaces. */
    static Scope enter(Scope scope) {
        Scope outer = CURRENT.get();
        CURRENT.set(scope);
        return outer;
    }

    static void leave(Scope outer) {
        if (outer == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(outer);
        }
    }

    @Override
    public AcquireInitialTokenResponse acquireInitialToken(AcquireInitialTokenRequest request) {
        return delegate.acquireInitialToken(request);
    }

    @Override
    public RefreshRetryTokenResponse refreshRetryToken(RefreshRetryTokenRequest request) {
        Scope scope = CURRENT.get();
        if (scope != null) {
            scope.failuresSeen++;
            if (request.failure() instanceof AwsServiceException e && e.isThrottlingException()) {
                scope.gate.throttled(scope.action, Duration.ZERO);
            }
        }
        RefreshRetryTokenResponse response = delegate.refreshRetryToken(request);
        if (scope == null) {
            return response;
        }
        try {
            scope.time.sleep(response.delay());
            scope.acquire();
        } catch (KilnException e) {
            throw new TokenAcquisitionFailedException(e.getMessage(), response.token(), request.failure());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenAcquisitionFailedException("interrupted while waiting to retry " + scope.action,
                    response.token(), request.failure());
        }
        return RefreshRetryTokenResponse.create(response.token(), Duration.ZERO);
    }

    @Override
    public RecordSuccessResponse recordSuccess(RecordSuccessRequest request) {
        return delegate.recordSuccess(request);
    }

    @Override
    public int maxAttempts() {
        return delegate.maxAttempts();
    }

    /** Kiln configured this strategy completely: the client must not rebuild it with its defaults. */
    @Override
    public boolean useClientDefaults() {
        return false;
    }

    @Override
    public Builder<?, ?> toBuilder() {
        // A rebuilt strategy would lose the gate; callers get the SDK strategy it wraps instead.
        return delegate.toBuilder();
    }

    /** One call in flight on this thread: the gate it is charged to and the action it calls. */
    static final class Scope {
        private final ApiGate gate;
        private final String action;
        private final TimeSource time;
        private int failuresSeen;

        Scope(ApiGate gate, String action, TimeSource time) {
            this.gate = gate;
            this.action = action;
            this.time = time;
        }

        /** Waits, in the run's time, until the gate lets one call of the action through. */
        void acquire() {
            try {
                gate.acquire(action);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KilnException("interrupted while waiting for Kiln's API budget to call " + action);
            }
        }

        /**
         * Reports the throttle a call ended with, unless the retry strategy saw (and reported) its
         * attempts already: the SDK asks the strategy about every failed attempt, the last included.
         */
        void reportFinalThrottle() {
            if (failuresSeen == 0) {
                gate.throttled(action, Duration.ZERO);
            }
        }
    }
}
