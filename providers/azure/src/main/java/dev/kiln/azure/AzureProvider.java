package dev.kiln.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.management.AzureEnvironment;
import com.azure.identity.DefaultAzureCredentialBuilder;
import dev.kiln.KilnException;
import dev.kiln.azure.internal.ArmSession;
import dev.kiln.azure.internal.AzureCatalog;
import dev.kiln.azure.internal.AzureCalls;
import dev.kiln.azure.internal.AzureTarget;
import dev.kiln.azure.internal.VmSizeTable;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.limits.QuotaSnapshot;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

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

    /** The tag every resource of a build carries; sweeps and verification look for it. */
    public static final String BUILD_TAG = AzureCalls.BUILD_TAG;

    /** The tag holding a build's expiry ({@code kiln_expires_at}, epoch seconds); expiry sweeps look for it. */
    public static final String EXPIRY_TAG = AzureCalls.EXPIRY_TAG;

    private final Builder config;
    private volatile ProviderContext context;
    private volatile ArmSession session;
    private volatile AzureCalls calls;

    private AzureProvider(Builder b) {
        this.config = b.copy();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return "azure";
    }

    @Override
    public synchronized void start(ProviderContext providerContext) {
        this.context = Objects.requireNonNull(providerContext, "context");
        TokenCredential credential = config.credential;
        if (credential == null && config.endpoint == null) {
            credential = new DefaultAzureCredentialBuilder().build();
        }
        HttpClient http = config.httpClient != null ? config.httpClient : HttpClient.createDefault();
        ArmSession s = new ArmSession(environment(), config.tenant, credential, http, providerContext.time(),
                config.maxAttempts, config.operationTimeout);
        this.session = s;
        this.calls = new AzureCalls(s, providerContext::gate, providerContext.time());
    }

    private AzureEnvironment environment() {
        if (config.endpoint == null) {
            return config.environment;
        }
        String base = config.endpoint.toString().replaceAll("/+$", "");
        Map<String, String> endpoints = new LinkedHashMap<>(config.environment.getEndpoints());
        endpoints.put("resourceManagerEndpointUrl", base + "/");
        endpoints.put("managementEndpointUrl", base + "/");
        endpoints.put("activeDirectoryEndpointUrl", base + "/");
        endpoints.put("activeDirectoryResourceId", base + "/");
        return new AzureEnvironment(endpoints);
    }

    private AzureCalls calls() {
        AzureCalls c = calls;
        if (c == null) {
            throw new KilnException("the azure provider was not started: register it with Kiln.builder().provider(..)"
                    + " or call start(context) first");
        }
        return c;
    }

    /** The Azure SDK's locations and ARM's limits: see {@link AzureCatalog}. */
    @Override
    public ProviderCatalog catalog() {
        return AzureCatalog.catalog();
    }

    @Override
    public LimitsTable apiLimits(Target target) {
        return ProviderDefaults.azure();
    }

    /** azure-* builders make azure-arm's calls; any other builder on an Azure target calls nothing. */
    @Override
    public CostModel costModel(ImageSpec image, Target target) {
        if (image.builderType().startsWith("azure")) {
            return ProviderDefaults.azureArm();
        }
        return CostModel.free(Duration.ofMinutes(5));
    }

    /**
     * One VM of the image's size: its vCPUs (the plan's figure, else the region's VM sizes list,
     * else the size's name) against {@code vcpus} and against its family (e.g.
     * {@code standardDSv3Family}), and one VM against {@code instances}. A job without a size keeps
     * the plan's demand.
     */
    @Override
    public Demand demandOf(BuildJob job) {
        String size = job.image().instanceSize();
        if (size == null || size.isBlank()) {
            return job.demand();
        }
        Integer vcpus = job.image().vcpus();
        if (vcpus == null) {
            vcpus = calls().vcpus(job.target(), size).or(() -> VmSizeTable.vcpus(size)).orElse(null);
        }
        if (vcpus == null) {
            return job.demand();
        }
        Demand d = Demand.NONE.with(Demand.VCPUS, vcpus).with(Demand.INSTANCES, 1);
        Optional<String> family = VmSizeTable.family(size);
        return family.isPresent() ? d.with(family.get(), vcpus) : d;
    }

    @Override
    public QuotaSnapshot probeQuotas(Target target) {
        return calls().probeQuotas(target);
    }

    @Override
    public boolean imageExists(Target target, String name) {
        return calls().imageExists(target, name);
    }

    /**
     * The job's image ({@code job.imageName()}: a managed image in the target's resource group, or a
     * version of the target's gallery image) must exist, be provisioned and carry
     * {@value #BUILD_TAG}; so must any other managed image an artifact names by its ARM id.
     */
    @Override
    public ArtifactCheck verifyArtifact(BuildJob job, List<Artifact> artifacts) {
        List<String> verified = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> names = new ArrayList<>(List.of(job.imageName()));
        for (Artifact a : artifacts) {
            for (String id : a.id().split(",")) {
                String lower = id.trim().toLowerCase(java.util.Locale.ROOT);
                int at = lower.indexOf("/providers/microsoft.compute/images/");
                if (at >= 0) {
                    String name = id.trim().substring(at + "/providers/microsoft.compute/images/".length());
                    if (!names.contains(name)) {
                        names.add(name);
                    }
                }
            }
        }
        for (String name : names) {
            ArtifactCheck c = calls().verify(job.target(), name, job.buildId());
            verified.addAll(c.verified());
            problems.addAll(c.problems());
        }
        return new ArtifactCheck(verified, problems);
    }

    @Override
    public SweepReport sweep(Target target, String buildId) {
        return calls().sweep(target, buildId);
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
        return calls().sweepExpired(target, Objects.requireNonNull(now, "now"));
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
        AzureTarget t = AzureTarget.of(target);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KILN_AZURE_SUBSCRIPTION", t.subscription());
        env.put("KILN_AZURE_REGION", t.region());
        env.put("KILN_AZURE_RESOURCE_GROUP", t.resourceGroup());
        if (t.usesGallery()) {
            env.put("KILN_AZURE_GALLERY", t.gallery());
            env.put("KILN_AZURE_GALLERY_IMAGE", t.galleryImage());
        }
        if (config.endpoint != null) {
            env.put("KILN_AZURE_ENDPOINT", config.endpoint.toString().replaceAll("/+$", ""));
        }
        env.put("KILN_AZURE_POLL_SECONDS", Long.toString(pollSeconds(budget)));
        return Map.copyOf(env);
    }

    /**
     * 0 (poll as ARM's {@code Retry-After} says) with the whole budget; while the adaptive rate has
     * cut the target's limits, the wait that keeps the build's polling within its cut budget.
     */
    static long pollSeconds(Budget budget) {
        if (budget.rateFactor() >= 1 || Double.isInfinite(budget.pollCallsPerMinute())) {
            return 0;
        }
        double perMinute = Math.max(0.5, budget.pollCallsPerMinute() * Math.max(0.05, budget.rateFactor()));
        return Math.max(1, Math.min(120, (long) Math.ceil(60.0 / perMinute)));
    }

    @Override
    public void close() {
        ArmSession s = session;
        if (s != null) {
            s.close();
        }
    }

    @Override
    public String toString() {
        return "AzureProvider[" + (config.endpoint != null ? config.endpoint
                : config.environment.getResourceManagerEndpoint()) + "]";
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
            return new AzureProvider(this);
        }

        private Builder copy() {
            Builder b = new Builder();
            b.credential = credential;
            b.environment = environment;
            b.endpoint = endpoint;
            b.tenant = tenant;
            b.httpClient = httpClient;
            b.maxAttempts = maxAttempts;
            b.operationTimeout = operationTimeout;
            return b;
        }
    }
}
