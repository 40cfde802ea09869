package dev.kiln.gcp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.http.HttpResponseException;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.api.gax.rpc.StatusCode;
import dev.kiln.KilnException;
import dev.kiln.plan.Target;
import dev.kiln.spi.ApiGate;
import dev.kiln.spi.CredentialsException;
import dev.kiln.spi.ProviderContext;
import dev.kiln.spi.ProviderUnavailableException;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Every Compute Engine call Kiln makes: through the gate of its target first, then the call, then
 * the answer read the way gax cannot. gax turns every 403 into {@code PermissionDeniedException},
 * whether the body says {@code rateLimitExceeded} (a throttle) or {@code forbidden} (an auth
 * problem); this class reads the raw body behind the exception to tell them apart.
 *
 * <p>Throttles (403 {@code rateLimitExceeded}/{@code userRateLimitExceeded}, 429) are reported to
 * the gate, which slows the target's limits down, and retried; so are 500, 502, 503 and 504 and
 * calls that got no answer. Each retry waits (exponential backoff with jitter, on the run's time
 * source) and passes the gate again. Any other 403, and 401, is an access problem: the exception
 * names the project and the method, never the credentials.
 */
public final class Calls {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a failed call is handled. */
    enum Kind {
        THROTTLED, UNAVAILABLE, ACCESS_DENIED, OTHER
    }

    private final GcpSettings settings;
    private final SplittableRandom jitter = new SplittableRandom(0x6b696c6eL);
    private volatile ProviderContext context;

    public Calls(GcpSettings settings) {
        this.settings = settings;
    }

    public void start(ProviderContext ctx) {
        this.context = ctx;
    }

    public TimeSource time() {
        ProviderContext ctx = context;
        return ctx == null ? TimeSource.system() : ctx.time();
    }

    private ApiGate gate(Target target) {
        ProviderContext ctx = context;
        return ctx == null ? ApiGate.open() : ctx.gate(target);
    }

    /**
     * Calls {@code call} as one call of {@code api} on {@code target}, retrying throttles and
     * outages. A 404 comes back as gax's {@link NotFoundException}, for callers to whom "not
     * there" is an answer.
     *
     * @param method the Compute Engine method, e.g. {@code regions.get}, for messages
     * @throws KilnException when the call cannot succeed; its message names the project and method
     */
    public <T> T call(Target target, String api, String method, Supplier<T> call) {
        ApiGate gate = gate(target);
        long backoff = settings.initialBackoff().toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                gate.acquire(api);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KilnException("interrupted while waiting for the API budget of " + method + " in project '"
                        + target.account() + "'", e);
            }
            try {
                return call.get();
            } catch (NotFoundException e) {
                throw e;
            } catch (ApiException e) {
                Failure f = read(e);
                if (f.kind == Kind.THROTTLED) {
                    gate.throttled(api, Duration.ZERO);
                }
                boolean retry = f.kind == Kind.THROTTLED || f.kind == Kind.UNAVAILABLE;
                if (!retry || attempt >= settings.maxAttempts()) {
                    throw explain(e, f, target, method, attempt);
                }
                sleep(target, method, backoff);
                backoff = Math.min(backoff * 2, settings.maxBackoff().toNanos());
            }
        }
    }

    private void sleep(Target target, String method, long backoffNanos) {
        long jittered;
        synchronized (jitter) {
            jittered = backoffNanos / 2 + (long) (jitter.nextDouble() * (backoffNanos - backoffNanos / 2));
        }
        try {
            time().sleep(Duration.ofNanos(Math.max(1, jittered)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KilnException("interrupted while waiting to retry " + method + " in project '"
                    + target.account() + "'", e);
        }
    }

    /** What an answer said: its HTTP status, the reasons in its body, and what Kiln makes of them. */
    record Failure(Kind kind, int httpStatus, Set<String> reasons, String message) {
    }

    /** Reads the raw HTTP answer behind a gax exception: gax keeps only the status code. */
    static Failure read(ApiException e) {
        HttpResponseException http = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpResponseException h) {
                http = h;
                break;
            }
        }
        int status = http != null ? http.getStatusCode() : httpStatusOf(e.getStatusCode());
        Set<String> reasons = new LinkedHashSet<>();
        String message = "";
        if (http != null && http.getContent() != null) {
            try {
                JsonNode error = JSON.readTree(http.getContent()).path("error");
                message = error.path("message").asText("");
                for (JsonNode item : error.path("errors")) {
                    addIfText(reasons, item.path("reason"));
                }
                for (JsonNode detail : error.path("details")) {
                    addIfText(reasons, detail.path("reason"));
                }
                addIfText(reasons, error.path("status"));
            } catch (IOException notJson) {
                message = "";
            }
        }
        Kind kind;
        if (status == 429 || status == 403 && (reasons.contains("rateLimitExceeded")
                || reasons.contains("userRateLimitExceeded") || reasons.contains("RATE_LIMIT_EXCEEDED"))) {
            kind = Kind.THROTTLED;
        } else if (reasons.contains("quotaExceeded") || reasons.contains("QUOTA_EXCEEDED")) {
            kind = Kind.OTHER;
        } else if (status == 401 || status == 403) {
            kind = Kind.ACCESS_DENIED;
        } else if (status == 500 || status == 502 || status == 503 || status == 504 || status == 0
                || e.getStatusCode().getCode() == StatusCode.Code.UNAVAILABLE
                || e.getStatusCode().getCode() == StatusCode.Code.DEADLINE_EXCEEDED) {
            kind = Kind.UNAVAILABLE;
        } else {
            kind = Kind.OTHER;
        }
        return new Failure(kind, status, reasons, message);
    }

    private static void addIfText(Set<String> into, JsonNode node) {
        if (node.isTextual() && !node.asText().isEmpty()) {
            into.add(node.asText());
        }
    }

    private static int httpStatusOf(StatusCode code) {
        Object transport = code.getTransportCode();
        return transport instanceof Integer i ? i : 0;
    }

    /** Where a GCP provider reads credentials from, for messages about missing or rejected ones. */
    static String credentialsFrom(GcpSettings settings) {
        return settings.credentials() != null ? "the credentials given to GcpProvider.Builder.credentials"
                : "Application Default Credentials: the file GOOGLE_APPLICATION_CREDENTIALS names, else gcloud's"
                        + " (gcloud auth application-default login), else the metadata server of the machine Kiln"
                        + " runs on";
    }

    private KilnException explain(ApiException e, Failure f, Target target, String method, int attempts) {
        String project = target.account();
        String what = f.httpStatus > 0 ? "HTTP " + f.httpStatus : e.getStatusCode().getCode().name();
        String reasons = f.reasons.isEmpty() ? "" : " (" + String.join(", ", f.reasons) + ")";
        String told = f.message.isEmpty() ? "" : ": " + f.message;
        if (f.httpStatus == 401 || e.getStatusCode().getCode() == StatusCode.Code.UNAUTHENTICATED) {
            return CredentialsException.rejected(target.provider(), "Compute Engine answered " + method + " in"
                    + " project '" + project + "' with " + what + reasons + told, credentialsFrom(settings), e);
        }
        switch (f.kind) {
            case THROTTLED:
                return new ProviderUnavailableException(target.provider(), "Compute Engine kept refusing " + method
                        + " in project '" + project + "' with rate-limit errors" + reasons + " after " + attempts
                        + " attempts: Kiln's limits for "
                        + target.provider() + "/" + project + " are above what the project allows; lower them in the"
                        + " plan's limits block", e);
            case UNAVAILABLE:
                return new ProviderUnavailableException(target.provider(), "Compute Engine did not answer " + method
                        + " in project '" + project + "' after " + attempts + " attempts (last: " + what + reasons
                        + ")", e);
            case ACCESS_DENIED:
                return new KilnException("Compute Engine denied " + method + " in project '" + project + "' (" + what
                        + reasons + told + "): the credentials Kiln runs with have no access there, or lack the"
                        + " permission; grant them Compute Instance Admin (v1) and Compute Storage Admin in project '"
                        + project + "', or fix the project name", e);
            default:
                return new KilnException("Compute Engine refused " + method + " in project '" + project + "' (" + what
                        + reasons + told + ")", e);
        }
    }
}
