package dev.kiln.vsphere.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.spi.ApiGate;
import dev.kiln.spi.CredentialsException;
import dev.kiln.time.TimeSource;
import dev.kiln.vsphere.VsphereException;
import dev.kiln.vsphere.VsphereProvider;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small typed client of one vCenter's Automation REST API. It logs in once with basic
 * authentication and reuses the session token ({@code vmware-api-session-id}) for every call,
 * logs in again once when a call answers 401 (the session timed out), falls back to the legacy
 * {@code /rest} forms when {@code POST /api/session} answers 404 (vCenter 6.7), retries 503s a few
 * times with backoff on the run's time source, and logs out on {@link #close()}.
 *
 * <p>Every HTTP call, the login included, first passes Kiln's gate ({@code vcenter.rest}).
 * Thread-safe.
 */
final class VcenterClient {

    private static final Logger LOG = LoggerFactory.getLogger(VcenterClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SESSION_HEADER = "vmware-api-session-id";
    private static final int UNAVAILABLE_RETRIES = 3;

    private final URI base;
    private final Credentials credentials;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final Supplier<TimeSource> time;
    private final Object loginLock = new Object();
    private volatile String token;
    private volatile Boolean legacy;
    private volatile ApiGate lastGate = ApiGate.open();

    VcenterClient(URI base, Credentials credentials, HttpClient http, Duration requestTimeout,
            Supplier<TimeSource> time) {
        this.base = base;
        this.credentials = credentials;
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.time = time;
    }

    URI base() {
        return base;
    }

    /** Whether this vCenter speaks only the legacy /rest forms; null before the first login. */
    Boolean legacy() {
        return legacy;
    }

    /** Runs {@code call} and returns its answer, unwrapped from {@code {"value": ...}} in the legacy form. */
    JsonNode call(ApiGate gate, Call call) {
        lastGate = gate;
        int unavailable = 0;
        boolean relogged = false;
        while (true) {
            String session = login(gate);
            boolean legacyForm = Boolean.TRUE.equals(legacy);
            String path = legacyForm ? call.legacy() : call.api();
            JsonNode body = legacyForm ? call.legacyBody() : call.apiBody();
            Answer answer = send(gate, call.method(), path, body, SESSION_HEADER, session, call.describe(legacyForm));
            if (answer.status == 401 && !relogged) {
                relogged = true;
                forget(session);
                continue;
            }
            if (answer.status == 503 && unavailable < UNAVAILABLE_RETRIES) {
                unavailable++;
                gate.throttled(ProviderDefaults.VCENTER_REST, Duration.ZERO);
                pause(Duration.ofSeconds(1L << (unavailable - 1)));
                continue;
            }
            if (answer.status >= 300) {
                throw failure(call.describe(legacyForm), answer, null);
            }
            return legacyForm ? answer.body.path("value") : answer.body;
        }
    }

    /** Logs out, if logged in; errors are only logged: the session times out anyway. */
    void close() {
        String session = token;
        if (session == null) {
            return;
        }
        token = null;
        boolean legacyForm = Boolean.TRUE.equals(legacy);
        String path = legacyForm ? "/rest/com/vmware/cis/session" : "/api/session";
        try {
            send(lastGate, "DELETE", path, null, SESSION_HEADER, session, "DELETE " + path);
        } catch (VsphereException e) {
            LOG.debug("logout from {} failed: {}", base, e.getMessage());
        }
    }

    private String login(ApiGate gate) {
        String current = token;
        if (current != null) {
            return current;
        }
        synchronized (loginLock) {
            if (token != null) {
                return token;
            }
            String authorization = credentials.basicHeader();
            if (authorization == null) {
                throw credentialsProblem(new VsphereException(base, "POST /api/session", 0, null, "no vCenter"
                        + " credentials for " + base + ": set " + credentials.source(), null));
            }
            if (!Boolean.TRUE.equals(legacy)) {
                Answer a = send(gate, "POST", "/api/session", null, "Authorization", authorization,
                        "POST /api/session");
                if (a.status == 404 && legacy == null) {
                    LOG.info("vCenter {} has no /api (404 on POST /api/session): using the legacy /rest API", base);
                    legacy = true;
                } else if (a.status >= 300) {
                    throw loginFailure("POST /api/session", a);
                } else {
                    legacy = false;
                    token = a.body.asText();
                    return token;
                }
            }
            Answer a = send(gate, "POST", "/rest/com/vmware/cis/session", null, "Authorization", authorization,
                    "POST /rest/com/vmware/cis/session");
            if (a.status >= 300) {
                throw loginFailure("POST /rest/com/vmware/cis/session", a);
            }
            token = a.body.path("value").asText();
            return token;
        }
    }

    private RuntimeException loginFailure(String operation, Answer a) {
        if (a.status == 401 || a.status == 403) {
            return credentialsProblem(new VsphereException(base, operation, a.status, a.errorType(), "vCenter " + base
                    + " refused the login of user '" + credentials.user() + "' (" + a.status
                    + (a.errorType() == null ? "" : " " + a.errorType()) + "); check " + credentials.source(), null));
        }
        return failure(operation, a, null);
    }

    /** Missing or refused credentials, as preflight tells them from other failures; vCenter's answer is the cause. */
    private static CredentialsException credentialsProblem(VsphereException e) {
        return new CredentialsException(VsphereProvider.ID, "vsphere: " + e.getMessage(), e);
    }

    private void forget(String session) {
        synchronized (loginLock) {
            if (session.equals(token)) {
                token = null;
            }
        }
    }

    private void pause(Duration d) {
        try {
            time.get().sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VsphereException(base, "wait", 0, null, "interrupted while waiting to retry vCenter " + base,
                    e);
        }
    }

    private record Answer(int status, JsonNode body) {
        String errorType() {
            String legacyType = body.path("type").asText("");
            if (legacyType.startsWith("com.vmware.vapi.std.errors.")) {
                return legacyType.substring("com.vmware.vapi.std.errors.".length()).toUpperCase(java.util.Locale.ROOT);
            }
            return body.path("error_type").asText(null);
        }

        String message() {
            JsonNode messages = body.has("messages") ? body.path("messages") : body.path("value").path("messages");
            return messages.path(0).path("default_message").asText("");
        }
    }

    private VsphereException failure(String operation, Answer a, Throwable cause) {
        String type = a.errorType();
        String message = a.message();
        return new VsphereException(base, operation, a.status, type, "vCenter " + base + " answered " + a.status
                + (type == null ? "" : " " + type) + " to " + operation + (message.isEmpty() ? "" : ": " + message),
                cause);
    }

    private Answer send(ApiGate gate, String method, String path, JsonNode body, String header, String value,
            String operation) {
        try {
            gate.acquire(ProviderDefaults.VCENTER_REST);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VsphereException(base, operation, 0, null, "interrupted waiting for Kiln's limits before "
                    + operation + " on vCenter " + base, e);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(requestTimeout)
                .header("Accept", "application/json").header(header, value);
        try {
            if (body != null) {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            LOG.debug("{} {} -> {}", method, path, r.statusCode());
            JsonNode answer = MissingNode.getInstance();
            if (r.body().length > 0) {
                try {
                    answer = JSON.readTree(r.body());
                } catch (IOException e) {
                    if (r.statusCode() < 300) {
                        throw new VsphereException(base, operation, r.statusCode(), null, "vCenter " + base
                                + " answered " + operation + " with something that is not JSON", e);
                    }
                }
            }
            return new Answer(r.statusCode(), answer == null ? MissingNode.getInstance() : answer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VsphereException(base, operation, 0, null, "interrupted during " + operation + " on vCenter "
                    + base, e);
        } catch (HttpTimeoutException e) {
            throw new VsphereException(base, operation, 0, null, "vCenter " + base + " did not answer " + operation
                    + " within " + requestTimeout.toSeconds() + " s", e);
        } catch (IOException e) {
            if (causedBy(e, SSLException.class)) {
                throw new VsphereException(base, operation, 0, null, "TLS with vCenter " + base + " failed: "
                        + rootMessage(e) + "; if its certificate is signed by your own CA, give the CA with"
                        + " VsphereProvider.builder().trustStore(...) (insecure() only for labs)", e);
            }
            if (causedBy(e, ConnectException.class)) {
                throw new VsphereException(base, operation, 0, null, "cannot connect to vCenter " + base + ": "
                        + rootMessage(e), e);
            }
            throw new VsphereException(base, operation, 0, null, "calling vCenter " + base + " failed during "
                    + operation + ": " + rootMessage(e), e);
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    @Override
    public String toString() {
        return "VcenterClient[" + base + "]";
    }
}
