package dev.kiln.azure.internal;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.profile.AzureProfile;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.Context;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.compute.fluent.ComputeManagementClient;
import com.azure.resourcemanager.network.fluent.NetworkManagementClient;
import com.azure.resourcemanager.resources.fluent.ResourceManagementClient;
import com.azure.resourcemanager.resources.fluentcore.utils.HttpPipelineProvider;
import dev.kiln.KilnException;
import dev.kiln.plan.Target;
import dev.kiln.spi.ApiGate;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * The SDK clients of one started provider: one {@link ComputeManager} per subscription (its network
 * and resource managers come along), all on one HTTP pipeline whose last policy is Kiln's gate, which
 * each call names in its {@link #context(Target)}.
 */
final class ArmSession implements AutoCloseable {

    private final AzureEnvironment environment;
    private final String tenant;
    private final HttpPipeline pipeline;
    private final Function<Target, ApiGate> gates;
    private final TimeSource time;
    private final Duration operationTimeout;
    private final Map<String, ComputeManager> managers = new ConcurrentHashMap<>();

    ArmSession(AzureEnvironment environment, String tenant, TokenCredential credential, HttpClient httpClient,
            Function<Target, ApiGate> gates, TimeSource time, int maxAttempts, Duration operationTimeout) {
        this.environment = environment;
        this.tenant = tenant;
        this.gates = gates;
        this.time = time;
        this.operationTimeout = operationTimeout;
        boolean plainHttp = environment.getResourceManagerEndpoint().startsWith("http:");
        credential = credential == null ? null : new ExplainedCredential(credential);
        List<HttpPipelinePolicy> policies = new ArrayList<>();
        if (plainHttp && credential != null) {
            // The SDK's bearer policy refuses plain HTTP; an emulator still gets the token it would see.
            policies.add(new BearerOverHttp(credential, environment.getManagementEndpoint() + "/.default"));
        }
        policies.add(new GatePolicy(time, maxAttempts));
        AzureProfile profile = new AzureProfile(tenant, null, environment);
        RetryPolicy noSdkRetries = new RetryPolicy(new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1))));
        this.pipeline = HttpPipelineProvider.buildHttpPipeline(plainHttp ? null : credential, profile, null,
                new HttpLogOptions(), null, noSdkRetries, policies, httpClient);
    }

    TimeSource time() {
        return time;
    }

    /** The SDK context of a call on {@code target}: it names the gate the pipeline waits for. */
    Context context(Target target) {
        return GatePolicy.context(gates.apply(target));
    }

    ComputeManagementClient compute(AzureTarget t) {
        return manager(t.subscription()).serviceClient();
    }

    NetworkManagementClient network(AzureTarget t) {
        return manager(t.subscription()).networkManager().serviceClient();
    }

    ResourceManagementClient resources(AzureTarget t) {
        return manager(t.subscription()).resourceManager().serviceClient();
    }

    /** The SDK's managers for {@code subscription}, made on first use. */
    private ComputeManager manager(String subscription) {
        return managers.computeIfAbsent(subscription, s -> ComputeManager.authenticate(pipeline,
                new AzureProfile(tenant, s, environment)));
    }

    /**
     * Runs a long-running operation to its end, polling as its {@code Retry-After} says and waiting
     * on Kiln's time source; throws when it fails or outlasts the operation timeout.
     */
    void await(SyncPoller<?, ?> poller, String what) {
        long deadline = time.nanoTime() + operationTimeout.toNanos();
        while (true) {
            PollResponse<?> response = poller.poll();
            LongRunningOperationStatus status = response.getStatus();
            if (status == LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
                return;
            }
            if (status.isComplete()) {
                throw new KilnException(what + " ended " + status);
            }
            Duration wait = response.getRetryAfter() == null || response.getRetryAfter().isNegative()
                    ? Duration.ofSeconds(5) : response.getRetryAfter();
            if (wait.isZero()) {
                wait = Duration.ofMillis(200);
            }
            if (time.nanoTime() + wait.toNanos() > deadline) {
                throw new KilnException(what + " did not finish within " + operationTimeout);
            }
            try {
                time.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KilnException("interrupted waiting for " + what, e);
            }
        }
    }

    /** True when {@code e} is ARM's 404 (resource or group not found). */
    static boolean notFound(ManagementException e) {
        return e.getResponse() != null && e.getResponse().getStatusCode() == 404;
    }

    @Override
    public void close() {
        managers.clear();
    }

    /** Adds the credential's bearer token to requests sent to a plain-HTTP endpoint (an emulator). */
    private static final class BearerOverHttp implements HttpPipelinePolicy {
        private final TokenCredential credential;
        private final String scope;

        BearerOverHttp(TokenCredential credential, String scope) {
            this.credential = credential;
            this.scope = scope;
        }

        @Override
        public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
            return credential.getToken(new TokenRequestContext().addScopes(scope)).flatMap(token -> {
                context.getHttpRequest().setHeader(HttpHeaderName.AUTHORIZATION, "Bearer " + token.getToken());
                return next.process();
            });
        }

        @Override
        public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
            String token = credential.getTokenSync(new TokenRequestContext().addScopes(scope)).getToken();
            context.getHttpRequest().setHeader(HttpHeaderName.AUTHORIZATION, "Bearer " + token);
            return next.processSync();
        }
    }
}
