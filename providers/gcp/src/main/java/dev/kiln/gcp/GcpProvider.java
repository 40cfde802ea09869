package dev.kiln.gcp;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import dev.kiln.gcp.internal.Artifacts;
import dev.kiln.gcp.internal.Calls;
import dev.kiln.gcp.internal.ComputeClients;
import dev.kiln.gcp.internal.GcpCatalog;
import dev.kiln.gcp.internal.GcpSettings;
import dev.kiln.gcp.internal.Labels;
import dev.kiln.gcp.internal.Limits;
import dev.kiln.gcp.internal.Names;
import dev.kiln.gcp.internal.Operations;
import dev.kiln.gcp.internal.PackerCalls;
import dev.kiln.gcp.internal.Quotas;
import dev.kiln.gcp.internal.Sweeper;
import dev.kiln.gcp.internal.Zones;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.ProviderDefaults;
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
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Kiln's provider for Google Compute Engine, on the official google-cloud-compute client.
 *
 * <p>A target's {@code account} is the GCP project and its {@code region} a Compute Engine region;
 * the option {@code zone} names the zone builds run in (otherwise the region's first zone), and
 * {@code disk_type} ({@code pd-standard}, {@code pd-balanced}, {@code pd-ssd}) and
 * {@code omit_external_ip} ({@code true}/{@code false}) tell what a build's instance holds of the
 * disk and address quotas.
 *
 * <pre>{@code
 * // Production: Application Default Credentials, Google's endpoint.
 * GcpProvider gcp = GcpProvider.builder().build();
 * // An emulator: its endpoint, no credentials.
 * GcpProvider gcp = GcpProvider.builder().endpoint(emulator.endpoint()).noCredentials().build();
 * }</pre>
 *
 * <p>What it does for Kiln: probes quotas ({@code regions.get}: {@code CPUS} as {@code vcpus},
 * the machine family's CPUs such as {@code N2_CPUS}, {@code INSTANCES} as {@code instances},
 * {@code DISKS_TOTAL_GB} as {@code disk_gb}, {@code SSD_TOTAL_GB}, {@code IN_USE_ADDRESSES} as
 * {@code addresses}; {@code projects.get}: {@code IMAGES} as {@code images} and
 * {@code CPUS_ALL_REGIONS}, both project-wide); tells a build's demand from its machine type;
 * checks image names project-wide (GCE image names are unique per project, whatever the region);
 * verifies artifacts (the image exists, is {@code READY} and labelled {@code kiln-build-id}); sweeps
 * by that label. Every call passes Kiln's gate first ({@code read}, {@code write},
 * {@code operation.get}, {@code aggregated.list}, {@code global.write}); throttles (403
 * {@code rateLimitExceeded}, 429) slow the gate down and are retried with backoff on Kiln's time
 * source, as are 5xx answers.
 *
 * <p>Thread-safe. {@link #close()} closes its clients and threads.
 */
public final class GcpProvider implements CloudProvider {

    /** The provider id plans use unless the builder says otherwise. */
    public static final String ID = "gcp";
    /** The label every resource a build creates carries, with the build id as value. */
    public static final String BUILD_ID_LABEL = Labels.BUILD_ID;
    /** The label holding a build's expiry ({@code kiln_expires_at}, epoch seconds); expiry sweeps look for it. */
    public static final String EXPIRY_LABEL = Labels.EXPIRES_AT;
    /** The packer builder id of googlecompute artifacts, whose id is the image name. */
    public static final String GOOGLECOMPUTE_BUILDER_ID = Artifacts.GOOGLECOMPUTE_BUILDER_ID;
    /**
     * Environment a build gets: how often to poll operations, in seconds (for tools in a
     * template; googlecompute polls at its own pace, which the gate meters).
     */
    public static final String ENV_POLL_SECONDS = Limits.ENV_POLL_SECONDS;
    /** Environment a build gets when the provider has an endpoint override: the endpoint. */
    public static final String ENV_ENDPOINT = Limits.ENV_ENDPOINT;
    /** Environment a build gets: the zone it should run in. */
    public static final String ENV_ZONE = Limits.ENV_ZONE;
    /** The machine type packer 1.6.6's googlecompute builder uses when the template names none. */
    public static final String DEFAULT_MACHINE_TYPE = Quotas.DEFAULT_MACHINE_TYPE;

    private final GcpSettings settings;
    private final ComputeClients clients;
    private final Calls calls;
    private final Quotas quotas;
    private final Names names;
    private final Artifacts artifacts;
    private final Sweeper sweeper;
    private final Limits limits;

    private GcpProvider(GcpSettings settings) {
        this.settings = settings;
        this.clients = new ComputeClients(settings);
        this.calls = new Calls(settings);
        Zones zones = new Zones();
        this.quotas = new Quotas(clients, calls, zones);
        this.names = new Names(clients, calls);
        this.artifacts = new Artifacts(clients, calls);
        this.sweeper = new Sweeper(clients, calls, new Operations(clients, calls, settings));
        this.limits = new Limits(settings, zones);
    }

    /** A builder: Google's endpoint and Application Default Credentials unless told otherwise. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return settings.id();
    }

    @Override
    public void start(ProviderContext context) {
        calls.start(Objects.requireNonNull(context, "context"));
    }

    /** GCE image names: lowercase RFC 1035 labels, unique per project. */
    @Override
    public NameRule nameRule() {
        return names.rule();
    }

    /** Kiln's list of Compute Engine regions and this provider's rate quotas: see {@link GcpCatalog}. */
    @Override
    public ProviderCatalog catalog() {
        return GcpCatalog.of(settings.id(), settings.limits());
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
    public QuotaSnapshot probeQuotas(Target target) {
        return quotas.probe(target);
    }

    /**
     * One instance of the image's machine type ({@link #DEFAULT_MACHINE_TYPE} when it names none):
     * its vCPUs (the image's own {@code vcpus}, the type's name, or {@code machineTypes.get}), the
     * same again in its family's CPUs metric and project-wide, its boot disk (at least 10 GB, the
     * builder's default) in standard or SSD disk quota, one in-use address unless the target says
     * {@code omit_external_ip}, and one image. Only metrics the probe reports are kept.
     */
    @Override
    public Demand demandOf(BuildJob job) {
        return quotas.demandOf(job);
    }

    /** Whether the project holds an image of that name: GCE image names are unique per project, whatever the region. */
    @Override
    public boolean imageExists(Target target, String name) {
        return names.exists(target, name);
    }

    /**
     * Checks the images the build reported (googlecompute artifacts name them), or the job's
     * image name when none did (builds that report no googlecompute artifact): each must exist in
     * the project, be {@code READY}, and carry {@code kiln-build-id=<build id>}.
     */
    @Override
    public ArtifactCheck verifyArtifact(BuildJob job, List<Artifact> artifacts) {
        return this.artifacts.verify(job, artifacts);
    }

    @Override
    public SweepReport sweep(Target target, String buildId) {
        return sweeper.sweep(target, buildId);
    }

    /**
     * Sweeps as {@link #sweep} does a build, anywhere in the target's project, everything labelled
     * {@value #EXPIRY_LABEL} with epoch seconds before {@code now}: instances, then their boot disks
     * and labelled disks. Images are kept, expired or not. A value that is not epoch seconds is
     * reported as failed and left in place.
     */
    @Override
    public SweepReport sweepExpired(Target target, Instant now) {
        return sweeper.sweepExpired(target, Objects.requireNonNull(now, "now"));
    }

    /**
     * {@value #ENV_POLL_SECONDS}: the poll interval scaled by the budget's rate factor (slower
     * while the adaptive rate is cut); {@value #ENV_ZONE}; {@value #ENV_ENDPOINT} with an endpoint
     * override. Never credentials: packer finds Application Default Credentials as Kiln does.
     */
    @Override
    public Map<String, String> packerEnv(Target target, Budget budget) {
        return limits.packerEnv(target, budget);
    }

    /** Compute Engine: packer's calls there are metered by the rate-quota group each counts in. */
    @Override
    public List<String> apiHosts() {
        return PackerCalls.HOSTS;
    }

    /** The rate-quota group of one of packer's calls. */
    @Override
    public Optional<String> classify(ApiRequest request) {
        return PackerCalls.classify(request);
    }

    /** 403 {@code rateLimitExceeded}, or 429 {@code RESOURCE_EXHAUSTED}. */
    @Override
    public boolean isThrottle(ApiRequest request, ApiResponse response) {
        return PackerCalls.isThrottle(response);
    }

    @Override
    public void close() {
        clients.close();
    }

    @Override
    public String toString() {
        return "GcpProvider[" + settings.id() + (settings.endpoint() == null ? "" : " at " + settings.endpointText())
                + "]";
    }

    /** Configures a {@link GcpProvider}; {@link #build()} copies the settings, so a builder can be reused. */
    public static final class Builder {
        private String id = ID;
        private URI endpoint;
        private CredentialsProvider credentials;
        private LimitsTable limits = ProviderDefaults.gcp();
        private CostModel costModel = ProviderDefaults.gcpCompute();
        private int maxAttempts = 6;
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(32);
        private Duration operationPoll = Duration.ofSeconds(2);
        private Duration operationTimeout = Duration.ofMinutes(10);
        private Duration callTimeout = Duration.ofSeconds(60);
        private Duration packerPollInterval = Duration.ofSeconds(2);

        private Builder() {
        }

        /** The id plans use in {@code provider:}; default {@value GcpProvider#ID}. */
        public Builder id(String providerId) {
            if (providerId == null || !providerId.matches("[a-z][a-z0-9-]*")) {
                throw new IllegalArgumentException("a provider id is lowercase letters, digits and '-', starting"
                        + " with a letter; got '" + providerId + "'");
            }
            this.id = providerId;
            return this;
        }

        /**
         * Where the Compute Engine API answers instead of Google's endpoint, e.g. an emulator's
         * {@code http://127.0.0.1:PORT}. Scheme required; a trailing slash is dropped (the client
         * fails on one).
         */
        public Builder endpoint(URI uri) {
            Objects.requireNonNull(uri, "endpoint");
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("the endpoint needs a scheme and a host, e.g."
                        + " http://127.0.0.1:8080; got '" + uri + "'");
            }
            this.endpoint = uri;
            return this;
        }

        /** The credentials to call with; default Application Default Credentials. */
        public Builder credentials(CredentialsProvider provider) {
            this.credentials = Objects.requireNonNull(provider, "credentials");
            return this;
        }

        /** Calls without credentials: for emulators only. */
        public Builder noCredentials() {
            this.credentials = NoCredentialsProvider.create();
            return this;
        }

        /** The rate quotas Kiln keeps to; default {@link ProviderDefaults#gcp()}. Plans may still override per target. */
        public Builder limits(LimitsTable table) {
            this.limits = Objects.requireNonNull(table, "limits");
            return this;
        }

        /** What one build is expected to call; default {@link ProviderDefaults#gcpCompute()}. */
        public Builder costModel(CostModel model) {
            this.costModel = Objects.requireNonNull(model, "costModel");
            return this;
        }

        /** Attempts per call when throttled or unavailable; default 6. */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("max attempts must be at least 1, got " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /** The first and the longest wait before a retry (doubling, with jitter); default 1 s and 32 s. */
        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = positive(initial, "initial backoff");
            this.maxBackoff = positive(max, "max backoff");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("max backoff " + max + " is below the initial backoff " + initial);
            }
            return this;
        }

        /** How often Kiln polls an operation it waits for (sweeps), and for how long; default 2 s and 10 min. */
        public Builder operationPolling(Duration interval, Duration timeout) {
            this.operationPoll = positive(interval, "operation poll interval");
            this.operationTimeout = positive(timeout, "operation timeout");
            return this;
        }

        /** How long one HTTP call may take; default 60 s. */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = positive(timeout, "call timeout");
            return this;
        }

        /** The operation poll interval a build gets at full budget ({@value GcpProvider#ENV_POLL_SECONDS}); default 2 s, packer's. */
        public Builder packerPollInterval(Duration interval) {
            this.packerPollInterval = positive(interval, "packer poll interval");
            return this;
        }

        public GcpProvider build() {
            return new GcpProvider(new GcpSettings(id, endpoint, credentials, limits, costModel, maxAttempts,
                    initialBackoff, maxBackoff, operationPoll, operationTimeout, callTimeout, packerPollInterval));
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
