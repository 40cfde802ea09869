package dev.kiln.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.management.AzureEnvironment;
import dev.kiln.azure.internal.Arm;
import dev.kiln.azure.internal.Artifacts;
import dev.kiln.azure.internal.AzureCatalog;
import dev.kiln.azure.internal.AzureSettings;
import dev.kiln.azure.internal.Limits;
import dev.kiln.azure.internal.Names;
import dev.kiln.azure.internal.Passing;
import dev.kiln.azure.internal.Quotas;
import dev.kiln.azure.internal.Sweeper;
import dev.kiln.azure.internal.Tags;
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
import dev.kiln.spi.ArtifactCheck;
import dev.kiln.spi.Budget;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderContext;
import dev.kiln.spi.SweepReport;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Kiln's provider for Azure Resource Manager ({@code provider: azure}). A target's account is the
 * subscription id, its region the Azure region, and its options name the resource group
 * ({@code resource_group}, required) and optionally the Compute gallery and image definition whose
 * versions are built ({@code gallery}, {@code gallery_image}).
 *
 * <pre>{@code
 * CloudProvider azure = AzureProvider.builder().build();                 // DefaultAzureCredential, public cloud
 * CloudProvider onEmulator = AzureProvider.builder()
 *         .endpoint(URI.create("http://127.0.0.1:40123"))               // an ARM emulator, plain HTTP
 *         .build();
 * }</pre>
 *
 * <p>Every ARM request, the SDK's long-running-operation polls included, waits for Kiln's gate of
 * its target, reports the {@code x-ms-ratelimit-remaining-*} headers of its answer, and reports a
 * 429 with its {@code Retry-After} before it is retried on Kiln's time source.
 */
public final class AzureProvider implements CloudProvider {

    /** The provider id plans use: {@code azure}. */
    public static final String ID = "azure";

    /** The tag every resource of a build carries; sweeps and verification look for it. */
    public static final String BUILD_TAG = Tags.BUILD_ID;

    /** The tag holding a build's expiry ({@code kiln_expires_at}, epoch seconds); expiry sweeps look for it. */
    public static final String EXPIRY_TAG = Tags.EXPIRES_AT;

    private final AzureSettings settings;
    private final Arm arm;
    private final Quotas quotas;
    private final Names names;
    private final Artifacts artifacts;
    private final Sweeper sweeper;
    private final Limits limits;

    private AzureProvider(AzureSettings settings) {
        this.settings = settings;
        this.arm = new Arm(settings);
        this.quotas = new Quotas(arm);
        this.names = new Names(arm);
        this.artifacts = new Artifacts(arm, names);
        this.sweeper = new Sweeper(arm);
        this.limits = new Limits(settings);
    }

    /** A builder with every default: {@code DefaultAzureCredential}, the public cloud, netty's HTTP client. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return ID;
    }

    /** Makes the SDK clients: their pipeline waits on the context's gates and time source. */
    @Override
    public void start(ProviderContext context) {
        arm.start(Objects.requireNonNull(context, "context"));
    }

    @Override
    public NameRule nameRule() {
        return names.rule();
    }

    /** The Azure SDK's locations and ARM's limits: see {@link AzureCatalog}. */
    @Override
    public ProviderCatalog catalog() {
        return AzureCatalog.catalog();
    }

    @Override
    public LimitsTable apiLimits(Target target) {
        return limits.api();
    }

    /** azure-* builders make azure-arm's calls; any other builder on an Azure target calls nothing. */
    @Override
    public CostModel costModel(ImageSpec image, Target target) {
        return limits.costModel(image);
    }

    /**
     * One VM of the image's size: its vCPUs (the plan's figure, else the region's VM sizes list,
     * else the size's name) against {@code vcpus} and against its family (e.g.
     * {@code standardDSv3Family}), and one VM against {@code instances}. A job without a size keeps
     * the plan's demand.
     */
    @Override
    public Demand demandOf(BuildJob job) {
        return quotas.demandOf(job);
    }

    @Override
    public QuotaSnapshot probeQuotas(Target target) {
        return Passing.failures("the quota probe of " + target.key(), () -> quotas.probe(target));
    }

    @Override
    public boolean imageExists(Target target, String name) {
        return Passing.failures("the name check of " + name + " in " + target.key(),
                () -> names.exists(target, name));
    }

    /**
     * The job's image ({@code job.imageName()}: a managed image in the target's resource group, or a
     * version of the target's gallery image) must exist, be provisioned and carry
     * {@value #BUILD_TAG}; so must any other managed image an artifact names by its ARM id.
     */
    @Override
    public ArtifactCheck verifyArtifact(BuildJob job, List<Artifact> artifacts) {
        return this.artifacts.verify(job, artifacts);
    }

    /**
     * Deletes what a build left: resource groups tagged with its id (packer's temporary groups),
     * then, in the target's resource group, tagged VMs, network interfaces, public IPs, disks (with
     * the NICs and OS disks of the swept VMs, which Azure does not tag), virtual networks, security
     * groups and images, each level after the one before has gone.
     */
    @Override
    public SweepReport sweep(Target target, String buildId) {
        return sweeper.sweep(target, buildId);
    }

    /**
     * Sweeps as {@link #sweep} does a build, everything tagged {@value #EXPIRY_TAG} with epoch seconds
     * before {@code now}: packer's temporary resource groups anywhere in the subscription (never the
     * target's own group), then, in the target's resource group, VMs with their NICs and OS disks,
     * NICs, public IPs, disks, virtual networks and security groups. Managed images are kept, expired
     * or not: packer's {@code azure_tags} reach the finished image too. A value that is not epoch
     * seconds is reported as failed and left in place.
     */
    @Override
    public SweepReport sweepExpired(Target target, Instant now) {
        return sweeper.sweepExpired(target, now);
    }

    /**
     * Where and how a build on {@code target} talks to ARM, for templates to read with
     * {@code env}: {@code KILN_AZURE_SUBSCRIPTION}, {@code KILN_AZURE_REGION},
     * {@code KILN_AZURE_RESOURCE_GROUP}, {@code KILN_AZURE_GALLERY}/{@code KILN_AZURE_GALLERY_IMAGE}
     * (with a gallery), {@code KILN_AZURE_ENDPOINT} (with an endpoint override) and
     * {@code KILN_AZURE_POLL_SECONDS}, the shortest wait between two polls of a long-running
     * operation that keeps the build within its budget (0: as {@code Retry-After} says). Never a
     * credential.
     */
    @Override
    public Map<String, String> packerEnv(Target target, Budget budget) {
        return limits.packerEnv(target, budget);
    }

    @Override
    public void close() {
        arm.close();
    }

    @Override
    public String toString() {
        return "AzureProvider[" + (settings.endpoint() != null ? settings.endpoint()
                : settings.environment().getResourceManagerEndpoint()) + "]";
    }

    /** Configures an {@link AzureProvider}; {@link #build()} copies the settings. */
    public static final class Builder {
        private TokenCredential credential;
        private AzureEnvironment environment = AzureEnvironment.AZURE;
        private URI endpoint;
        private String tenant;
        private HttpClient httpClient;
        private int maxAttempts = 6;
        private Duration operationTimeout = Duration.ofMinutes(30);

        private Builder() {
        }

        /** The credential; default azure-identity's {@code DefaultAzureCredential} (none with an endpoint override). */
        public Builder credential(TokenCredential tokenCredential) {
            this.credential = Objects.requireNonNull(tokenCredential, "credential");
            return this;
        }

        /** The Azure cloud; default {@link AzureEnvironment#AZURE} (public). */
        public Builder environment(AzureEnvironment azureEnvironment) {
            this.environment = Objects.requireNonNull(azureEnvironment, "environment");
            return this;
        }

        /**
         * Sends every ARM request to {@code resourceManager} instead (an emulator; plain HTTP is
         * allowed), e.g. {@code http://127.0.0.1:40123}.
         */
        public Builder endpoint(URI resourceManager) {
            this.endpoint = Objects.requireNonNull(resourceManager, "endpoint");
            return this;
        }

        /** The tenant of the credential, when it needs one. */
        public Builder tenant(String tenantId) {
            this.tenant = Objects.requireNonNull(tenantId, "tenant");
            return this;
        }

        /** The HTTP client; default azure-core-http-netty's. */
        public Builder httpClient(HttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "client");
            return this;
        }

        /** Attempts per request when ARM throttles (429) or fails transiently (5xx); default 6. */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("max attempts must be at least 1, got " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /** The longest one long-running operation (a delete) may take; default 30 minutes. */
        public Builder operationTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("operation timeout must be positive, got " + timeout);
            }
            this.operationTimeout = timeout;
            return this;
        }

        public AzureProvider build() {
            return new AzureProvider(new AzureSettings(credential, environment, endpoint, tenant, httpClient,
                    maxAttempts, operationTimeout));
        }
    }
}
