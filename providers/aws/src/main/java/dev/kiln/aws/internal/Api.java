package dev.kiln.aws.internal;

import dev.kiln.KilnException;
import dev.kiln.plan.Target;
import dev.kiln.spi.ApiGate;
import dev.kiln.spi.ProviderContext;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.servicequotas.ServiceQuotasClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Kiln's way to call AWS: one SDK client per account, region and service, every call (and every
 * retry the SDK makes) through the target's {@link ApiGate}, every throttle reported to it.
 */
public final class Api implements AutoCloseable {

    private final AwsSettings settings;
    private final SdkHttpClient http;
    private final AwsCredentialsProvider defaultCredentials;
    private final boolean ownsDefaultCredentials;
    private final Map<String, Ec2Client> ec2 = new ConcurrentHashMap<>();
    private final Map<String, ServiceQuotasClient> quotas = new ConcurrentHashMap<>();
    private volatile ProviderContext context;
    private volatile boolean closed;

    public Api(AwsSettings settings) {
        this.settings = settings;
        this.http = UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(30)).build();
        this.ownsDefaultCredentials = settings.credentials() == null;
        this.defaultCredentials = ownsDefaultCredentials ? DefaultCredentialsProvider.builder().build()
                : settings.credentials();
    }

    public void start(ProviderContext ctx) {
        this.context = ctx;
    }

    TimeSource time() {
        ProviderContext c = context;
        return c == null ? TimeSource.system() : c.time();
    }

    ApiGate gate(Target target) {
        ProviderContext c = context;
        return c == null ? ApiGate.open() : c.gate(target);
    }

    /** One EC2 call of {@code action} on {@code target}. */
    <T> T ec2(Target target, String action, Function<Ec2Client, T> call) {
        Ec2Client client = ec2.computeIfAbsent(key(target), k -> build(Ec2Client.builder(), target));
        return call(target, "EC2", action, client, call);
    }

    /** One Service Quotas call of {@code operation} on {@code target}. */
    <T> T quotas(Target target, String operation, Function<ServiceQuotasClient, T> call) {
        ServiceQuotasClient client = quotas.computeIfAbsent(key(target),
                k -> build(ServiceQuotasClient.builder(), target));
        return call(target, "Service Quotas", operation, client, call);
    }

    private <C, T> T call(Target target, String service, String action, C client, Function<C, T> call) {
        if (closed) {
            throw new KilnException("the AWS provider is closed; " + service + " " + action + " on " + target.key()
                    + " was not called");
        }
        ApiGate gate = gate(target);
        GatedRetryStrategy.Scope scope = new GatedRetryStrategy.Scope(gate, action, time());
        scope.acquire();
        GatedRetryStrategy.Scope outer = GatedRetryStrategy.enter(scope);
        try {
            return call.apply(client);
        } catch (AwsServiceException e) {
            if (e.isThrottlingException()) {
                scope.reportFinalThrottle();
            }
            throw AwsCredentialProblems.rejected(e, configuredCredentials(target))
                    .<RuntimeException>map(c -> c).orElseGet(() -> AwsFailure.of(service, action, target, e));
        } catch (SdkException e) {
            throw AwsCredentialProblems.missing(e, configuredCredentials(target))
                    .<RuntimeException>map(c -> c)
                    .orElseGet(() -> AwsFailure.unreachable(service, action, target, endpointText(), e));
        } finally {
            GatedRetryStrategy.leave(outer);
        }
    }

    /** Whether the target's account has credentials of its own or the provider was given some. */
    private boolean configuredCredentials(Target target) {
        return !ownsDefaultCredentials || settings.accountCredentials().containsKey(target.account());
    }

    private String endpointText() {
        return settings.endpoint() == null ? "AWS" : settings.endpoint().toString();
    }

    private static String key(Target target) {
        return target.account() + "/" + target.region();
    }

    private <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder, Target target) {
        builder.region(Region.of(target.region()))
                .credentialsProvider(credentialsFor(target.account()))
                .httpClient(http)
                .overrideConfiguration(o -> o
                        .retryStrategy(new GatedRetryStrategy(AwsRetryStrategy.forRetryMode(settings.retryMode())))
                        .apiCallTimeout(settings.apiCallTimeout()));
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return builder.build();
    }

    private AwsCredentialsProvider credentialsFor(String account) {
        return settings.accountCredentials().getOrDefault(account, defaultCredentials);
    }

    @Override
    public void close() {
        closed = true;
        ec2.values().forEach(SdkAutoCloseable::close);
        quotas.values().forEach(SdkAutoCloseable::close);
        ec2.clear();
        quotas.clear();
        http.close();
        if (ownsDefaultCredentials && defaultCredentials instanceof SdkAutoCloseable c) {
            c.close();
        }
    }
}
