package dev.kiln.azure.internal;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.util.Context;
import dev.kiln.spi.ApiGate;
import dev.kiln.spi.CredentialsException;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The one place every ARM request passes on its way to the wire: it names the request by the api
 * classes of {@code ProviderDefaults.azure()}, waits for Kiln's gate, feeds the answer's
 * {@code x-ms-ratelimit-remaining-*} headers back to the gate, and turns a 429 into a throttle
 * report and a wait of {@code Retry-After} on Kiln's time source before trying again. Transient
 * 5xx answers are retried the same way with a short backoff. The SDK's own retry policy is off, so
 * no request and no wait escapes the gate or the time source.
 */
public final class GatePolicy implements HttpPipelinePolicy {

    /** Context key under which a call carries its target's gate. */
    public static final String GATE = "kiln.gate";

    private final TimeSource time;
    private final int maxAttempts;

    public GatePolicy(TimeSource time, int maxAttempts) {
        this.time = time;
        this.maxAttempts = maxAttempts;
    }

    /** A call context that routes through {@code gate}. */
    public static Context context(ApiGate gate) {
        return new Context(GATE, gate);
    }

    @Override
    public HttpPipelinePosition getPipelinePosition() {
        return HttpPipelinePosition.PER_RETRY;
    }

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        return Mono.fromCallable(() -> attempt(context, next.clone(), 1)).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        ApiGate gate = gate(context);
        String api = apiOf(context.getHttpRequest());
        for (int attempt = 1; ; attempt++) {
            acquire(gate, api);
            HttpResponse response = next.clone().processSync();
            Duration wait = afterResponse(gate, api, response, attempt);
            if (wait == null) {
                return response;
            }
            response.close();
            pause(wait);
        }
    }

    private HttpResponse attempt(HttpPipelineCallContext context, HttpPipelineNextPolicy next, int attempt) {
        ApiGate gate = gate(context);
        String api = apiOf(context.getHttpRequest());
        acquire(gate, api);
        HttpResponse response = next.clone().process().block();
        Duration wait = afterResponse(gate, api, response, attempt);
        if (wait == null) {
            return response;
        }
        response.close();
        pause(wait);
        return attempt(context, next, attempt + 1);
    }

    /** Reports what the answer says; the wait before another attempt, or null to hand the answer back. */
    private Duration afterResponse(ApiGate gate, String api, HttpResponse response, int attempt) {
        if (response == null) {
            return null;
        }
        remaining(gate, response);
        int status = response.getStatusCode();
        if (status == 401) {
            response.close();
            throw CredentialsException.rejected("azure", "ARM answered " + api + " with 401 Unauthorized",
                    ExplainedCredential.WHERE, null);
        }
        if (status == 429) {
            Duration retryAfter = retryAfter(response).orElse(Duration.ZERO);
            gate.throttled(api, retryAfter);
            if (attempt >= maxAttempts) {
                return null;
            }
            return retryAfter.isZero() ? Duration.ofSeconds(1L << Math.min(attempt, 5)) : retryAfter;
        }
        if ((status == 500 || status == 502 || status == 503 || status == 504 || status == 408)
                && attempt < maxAttempts) {
            return retryAfter(response).orElse(Duration.ofMillis(500L << Math.min(attempt, 6)));
        }
        return null;
    }

    private void acquire(ApiGate gate, String api) {
        try {
            gate.acquire(api);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for Kiln's limit of " + api, e);
        }
    }

    private void pause(Duration wait) {
        try {
            time.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting to retry an ARM call", e);
        }
    }

    private static ApiGate gate(HttpPipelineCallContext context) {
        return context.getData(GATE).filter(ApiGate.class::isInstance).map(ApiGate.class::cast)
                .orElseThrow(() -> new IllegalStateException("an ARM call was made without Kiln's gate: "
                        + context.getHttpRequest().getHttpMethod() + " " + context.getHttpRequest().getUrl()
                        .getPath()));
    }

    /** The api class of a request, as {@code ProviderDefaults.azure()} names it. */
    public static String apiOf(HttpRequest request) {
        return apiOf(request.getHttpMethod().name(), request.getUrl().getPath());
    }

    /** The api class of a call of {@code method} on {@code path}, as {@code ProviderDefaults.azure()} names it. */
    public static String apiOf(String method, String path) {
        String p = path.toLowerCase(Locale.ROOT);
        boolean read = method.equals("GET") || method.equals("HEAD");
        boolean delete = method.equals("DELETE");
        if (p.matches(".*/providers/microsoft\\.compute/locations/[^/]+/operations/[^/]+")) {
            return "operation.get";
        }
        if (p.endsWith("/providers/microsoft.compute/virtualmachines")) {
            return "vm.list";
        }
        if (p.matches(".*/providers/microsoft\\.compute/virtualmachines/[^/]+(/[^/]+)?")) {
            if (read) {
                return "vm.get";
            }
            return delete ? "vm.delete" : "vm.put";
        }
        if (read) {
            return "resource.read";
        }
        return delete ? "resource.delete" : "resource.write";
    }

    /** Feeds every {@code x-ms-ratelimit-remaining-*} header of {@code response} to {@code gate}. */
    public static void remaining(ApiGate gate, HttpResponse response) {
        remaining(name -> value(response, name)).forEach(gate::remaining);
    }

    /** What ARM's {@code x-ms-ratelimit-remaining-*} headers, as {@code header} reads them, say is left, by limit. */
    public static Map<String, Long> remaining(Function<String, String> header) {
        Map<String, Long> out = new LinkedHashMap<>();
        count(out, header.apply("x-ms-ratelimit-remaining-subscription-reads"), "arm.reads");
        count(out, header.apply("x-ms-ratelimit-remaining-subscription-writes"), "arm.writes");
        count(out, header.apply("x-ms-ratelimit-remaining-subscription-deletes"), "arm.deletes");
        String resource = header.apply("x-ms-ratelimit-remaining-resource");
        if (resource != null) {
            out.putAll(remainingResource(resource));
        }
        return out;
    }

    private static void count(Map<String, Long> into, String value, String limit) {
        if (value != null) {
            try {
                into.put(limit, Long.parseLong(value.trim()));
            } catch (NumberFormatException e) {
                // A count we cannot read tells us nothing.
            }
        }
    }

    /**
     * Compute's {@code Microsoft.Compute/PutVM3Min;239,Microsoft.Compute/PutVM30Min;1198} as Kiln's
     * limits: {@code compute.PutVM -> 239}, the smallest count left of each policy.
     */
    public static Map<String, Long> remainingResource(String header) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String part : header.split(",")) {
            int semi = part.indexOf(';');
            int slash = part.indexOf('/');
            if (semi < 0 || slash < 0 || slash > semi) {
                continue;
            }
            String policy = part.substring(slash + 1, semi).trim().replaceFirst("\\d+Min$", "");
            try {
                long left = Long.parseLong(part.substring(semi + 1).trim());
                out.merge("compute." + policy, left, Math::min);
            } catch (NumberFormatException e) {
                // A count we cannot read tells us nothing.
            }
        }
        return out;
    }

    private static String value(HttpResponse response, String name) {
        return response.getHeaderValue(HttpHeaderName.fromString(name));
    }

    /** {@code x-ms-retry-after-ms}, else {@code Retry-After} in seconds. */
    public static Optional<Duration> retryAfter(HttpResponse response) {
        String ms = value(response, "x-ms-retry-after-ms");
        try {
            if (ms != null) {
                return Optional.of(Duration.ofMillis(Long.parseLong(ms.trim())));
            }
            String s = value(response, "Retry-After");
            if (s != null) {
                return Optional.of(Duration.ofSeconds(Long.parseLong(s.trim())));
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
