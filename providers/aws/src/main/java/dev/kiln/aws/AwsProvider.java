package dev.kiln.aws;

import dev.kiln.aws.internal.Api;
import dev.kiln.aws.internal.Artifacts;
import dev.kiln.aws.internal.AwsCatalog;
import dev.kiln.aws.internal.AwsSettings;
import dev.kiln.aws.internal.Cidr;
import dev.kiln.aws.internal.Diagnosis;
import dev.kiln.aws.internal.Limits;
import dev.kiln.aws.internal.Names;
import dev.kiln.aws.internal.PackerCalls;
import dev.kiln.aws.internal.Quotas;
import dev.kiln.aws.internal.Sweeper;
import dev.kiln.job.FailureClass;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.naming.NameRule;
import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.ProviderCatalog;
import dev.kiln.plan.Target;
import dev.kiln.spi.ApiRequest;
import dev.kiln.spi.ApiResponse;
import dev.kiln.spi.ArtifactCheck;
import dev.kiln.spi.Budget;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderContext;
import dev.kiln.spi.SweepReport;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;

/**
 * Kiln's {@link CloudProvider} for Amazon EC2 ({@code provider: aws} in plans), speaking to EC2 and
 * Service Quotas through the official AWS SDK v2.
 *
 * <pre>{@code
 * CloudProvider aws = AwsProvider.builder()
 *         .pollDelay(Duration.ofSeconds(15))
 *         .build();                      // credentials: the SDK's default chain
 * try (Kiln kiln = Kiln.builder().provider(aws).packerRunner(PackerRunners.process()).build()) {
 *     kiln.run(plan);
 * }
 * }</pre>
 *
 * <p>What it does for Kiln, per target (account and region):
 * <ul>
 *   <li>quotas: the on-demand standard vCPU quota ({@code L-1216C47A}) minus the vCPUs of pending and
 *       running instances, and the AMIs-per-region quota ({@code L-B665C33B}) minus the account's own
 *       AMIs, as the metrics {@code vcpus} and {@code images};</li>
 *   <li>a build's demand: the vCPUs of its instance type (DescribeInstanceTypes) and one image;</li>
 *   <li>image names: whether an AMI of the account has the name already;</li>
 *   <li>artifacts: the AMIs packer reported (or found by name) are {@code available} and tagged
 *       {@code kiln:build-id} (or {@code kiln-build-id}) with the job's build id;</li>
 *   <li>sweeps: everything tagged with a build id goes, in dependency order: instances (waited for
 *       until terminated), volumes, AMIs and their snapshots, key pairs, security groups (packer's
 *       untagged {@code packer_*} key pair and group of a swept instance too); expiry sweeps take
 *       what carries a {@code kiln:expires-at} tag that has passed, in the same order, AMIs and
 *       snapshots excepted;</li>
 *   <li>diagnosis of communicator timeouts: the build instance's state, addresses, whether its
 *       security groups admit the communicator port from this host, whether its subnet routes to an
 *       internet gateway;</li>
 *   <li>packer's environment: {@code AWS_POLL_DELAY_SECONDS} and {@code AWS_MAX_ATTEMPTS} from the
 *       build's API budget, {@code AWS_REGION}, and {@code KILN_AWS_ENDPOINT} when an endpoint
 *       override is set. Never credentials.</li>
 * </ul>
 *
 * <p>Every call goes through Kiln's {@link dev.kiln.spi.ApiGate}, retries included; throttles the
 * SDK sees (even those its retries survive) slow Kiln's limiter down. Thread-safe. Closing it
 * closes its SDK clients.
 */
public final class AwsProvider implements CloudProvider {

    /** The provider id plans use: {@code aws}. */
    public static final String ID = "aws";

    private final AwsSettings settings;
    private final Api api;
    private final Quotas quotas;
    private final Names names;
    private final Artifacts artifacts;
    private final Sweeper sweeper;
    private final Diagnosis diagnosis;
    private final Limits limits;

    private AwsProvider(AwsSettings settings) {
        this.settings = settings;
        this.api = new Api(settings);
        this.quotas = new Quotas(api, settings.checkAccount());
        this.names = new Names(api);
        this.artifacts = new Artifacts(api);
        this.sweeper = new Sweeper(api, settings.sweepTimeout());
        this.diagnosis = new Diagnosis(api, settings.buildHostAddresses());
        this.limits = new Limits(settings);
    }

    /** A builder with every default: the SDK's credential chain, STANDARD retries, packer's 15 s polls. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public void start(ProviderContext context) {
        api.start(Objects.requireNonNull(context, "context"));
    }

    @Override
    public NameRule nameRule() {
        return names.rule();
    }

    /** The AWS SDK's regions and EC2's actions: see {@link dev.kiln.aws.internal.AwsCatalog}. */
    @Override
    public ProviderCatalog catalog() {
        return AwsCatalog.catalog();
    }

    @Override
    public LimitsTable apiLimits(Target target) {
        return limits.api();
    }

    @Override
    public CostModel costModel(ImageSpec image, Target target) {
        return limits.costModel();
    }

    @Override
    public Demand demandOf(BuildJob job) {
        return quotas.demandOf(job);
    }

    @Override
    public QuotaSnapshot probeQuotas(Target target) {
        return quotas.probe(target);
    }

    @Override
    public boolean imageExists(Target target, String name) {
        return names.exists(target, name);
    }

    @Override
    public ArtifactCheck verifyArtifact(BuildJob job, List<Artifact> artifacts) {
        return this.artifacts.verify(job, artifacts);
    }

    @Override
    public SweepReport sweep(Target target, String buildId) {
        return sweeper.sweep(target, buildId);
    }

    /**
     * Sweeps the target's account and region of everything tagged {@code kiln:expires-at} (or
     * {@code kiln-expires-at}) with epoch seconds before {@code now}, as {@link #sweep} does a build:
     * instances, their volumes, packer's key pairs and security groups. AMIs and snapshots are kept,
     * expired or not: a finished image is not a leftover, and the tag cannot tell one from a killed
     * build's. A value that is not epoch seconds is reported as failed and left in place.
     */
    @Override
    public SweepReport sweepExpired(Target target, Instant now) {
        return sweeper.sweepExpired(target, Objects.requireNonNull(now, "now"));
    }

    @Override
    public Map<String, String> packerEnv(Target target, Budget budget) {
        return limits.packerEnv(target, budget);
    }

    /** EC2's regional endpoints: packer's calls there are metered per action. */
    @Override
    public List<String> apiHosts() {
        return PackerCalls.HOSTS;
    }

    /** The EC2 action of one of packer's calls, from its Query form. */
    @Override
    public Optional<String> classify(ApiRequest request) {
        return PackerCalls.classify(request);
    }

    /** 503 {@code RequestLimitExceeded}. */
    @Override
    public boolean isThrottle(ApiRequest request, ApiResponse response) {
        return PackerCalls.isThrottle(response);
    }

    @Override
    public Optional<String> diagnose(BuildJob job, FailureClass failure) {
        if (failure != FailureClass.COMMUNICATOR_TIMEOUT) {
            return Optional.empty();
        }
        return diagnosis.communicatorTimeout(job);
    }

    @Override
    public void close() {
        api.close();
    }

    @Override
    public String toString() {
        return "AwsProvider[" + settings + "]";
    }

    /** Configures an {@link AwsProvider}; {@link #build()} copies the settings, so a builder can be reused. */
    public static final class Builder {
        private URI endpoint;
        private AwsCredentialsProvider credentials;
        private final Map<String, AwsCredentialsProvider> accountCredentials = new LinkedHashMap<>();
        private RetryMode retryMode = RetryMode.STANDARD;
        private Duration pollDelay = Duration.ofSeconds(15);
        private Duration waiterTimeout = Duration.ofMinutes(60);
        private Duration sweepTimeout = Duration.ofMinutes(10);
        private Duration apiCallTimeout = Duration.ofSeconds(60);
        private final List<String> buildHostAddresses = new ArrayList<>();
        private boolean checkAccount = true;

        private Builder() {
        }

        /**
         * Sends EC2 and Service Quotas calls to {@code endpoint} instead of AWS, in every region
         * (an emulator such as the testkit's {@code Ec2Emulator}, which serves both on one port).
         * Packer builds get it as {@code KILN_AWS_ENDPOINT}, for templates to pass to
         * {@code custom_endpoint_ec2}.
         */
        public Builder endpointOverride(URI endpoint) {
            Objects.requireNonNull(endpoint, "endpoint");
            if (endpoint.getScheme() == null || endpoint.getHost() == null) {
                throw new IllegalArgumentException("an endpoint override needs a scheme and a host, e.g."
                        + " http://127.0.0.1:4566, got '" + endpoint + "'");
            }
            this.endpoint = endpoint;
            return this;
        }

        /**
         * The credentials for every account without its own (see {@link #credentials(String,
         * AwsCredentialsProvider)}). Default: the SDK's default chain (environment, system properties,
         * web identity, shared profile files, container and instance metadata).
         */
        public Builder credentials(AwsCredentialsProvider provider) {
            this.credentials = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /**
         * The credentials for targets whose {@code account} is {@code account}: how a plan's accounts
         * map to a profile, a role or keys each. Accounts not mapped use {@link
         * #credentials(AwsCredentialsProvider)}.
         */
        public Builder credentials(String account, AwsCredentialsProvider provider) {
            Objects.requireNonNull(account, "account");
            accountCredentials.put(account, Objects.requireNonNull(provider, "provider"));
            return this;
        }

        /** The SDK's retry mode for Kiln's own calls; default {@link RetryMode#STANDARD} (3 attempts). */
        public Builder retryMode(RetryMode mode) {
            this.retryMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * How long packer's waiters wait between polls when a build gets the polling budget its cost
         * model asks for; default 15 s, packer's own. Kiln lengthens it (in whole seconds) when a
         * build is granted less, e.g. while a throttle has cut a limit's rate. The cost model counts
         * one waiter poll per this delay.
         */
        public Builder pollDelay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("packer's poll delay is whole seconds, at least 1 s, got " + delay);
            }
            this.pollDelay = delay;
            return this;
        }

        /**
         * How long one packer waiter may wait in all (an AMI becoming available is the longest);
         * {@code AWS_MAX_ATTEMPTS} is this divided by the poll delay. Default 60 minutes.
         */
        public Builder waiterTimeout(Duration timeout) {
            this.waiterTimeout = positive(timeout, "waiter timeout");
            return this;
        }

        /** How long a sweep waits for instances to terminate and groups to free up; default 10 minutes. */
        public Builder sweepTimeout(Duration timeout) {
            this.sweepTimeout = positive(timeout, "sweep timeout");
            return this;
        }

        /** The SDK's limit for one API call, all attempts included; default 60 s. */
        public Builder apiCallTimeout(Duration timeout) {
            this.apiCallTimeout = positive(timeout, "API call timeout");
            return this;
        }

        /**
         * Where packer connects from, as the build instance sees it: an address or an IPv4 CIDR block
         * (e.g. a NAT gateway's public address). Diagnosis checks security groups against these.
         * Default: every non-loopback IPv4 address of this host; a rule open to 0.0.0.0/0 admits
         * any of them.
         */
        public Builder buildHostAddress(String addressOrCidr) {
            buildHostAddresses.add(Cidr.parse(addressOrCidr).toString());
            return this;
        }

        /** @see #buildHostAddress(String) */
        public Builder buildHostAddress(InetAddress address) {
            return buildHostAddress(Objects.requireNonNull(address, "address").getHostAddress());
        }

        /**
         * Whether the quota probe checks that the credentials act in the target's account (the
         * owner of the region's security groups) when the account is a 12-digit id; default true. A
         * mismatch fails the probe, so no build starts in the wrong account.
         */
        public Builder checkAccount(boolean check) {
            this.checkAccount = check;
            return this;
        }

        public AwsProvider build() {
            return new AwsProvider(new AwsSettings(endpoint, credentials, Map.copyOf(accountCredentials), retryMode,
                    pollDelay, waiterTimeout, sweepTimeout, apiCallTimeout, List.copyOf(buildHostAddresses),
                    checkAccount));
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }
    }
}
