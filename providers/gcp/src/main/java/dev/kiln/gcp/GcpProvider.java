package dev.kiln.gcp;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.compute.v1.GetImageRequest;
import com.google.cloud.compute.v1.Image;
import com.google.cloud.compute.v1.MachineType;
import com.google.cloud.compute.v1.Project;
import com.google.cloud.compute.v1.Region;
import dev.kiln.KilnException;
import dev.kiln.gcp.internal.Calls;
import dev.kiln.gcp.internal.ComputeClients;
import dev.kiln.gcp.internal.GcpCatalog;
import dev.kiln.gcp.internal.GcpSettings;
import dev.kiln.gcp.internal.Operations;
import dev.kiln.gcp.internal.Shapes;
import dev.kiln.gcp.internal.Sweeper;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.limits.Quota;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.limits.Scope;
import dev.kiln.naming.NameRule;
import dev.kiln.naming.NameRules;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
    public static final String BUILD_ID_LABEL = "kiln-build-id";
    /** The label holding a build's expiry ({@code kiln_expires_at}, epoch seconds); expiry sweeps look for it. */
    public static final String EXPIRY_LABEL = "kiln-expires-at";
    /** The packer builder id of googlecompute artifacts, whose id is the image name. */
    public static final String GOOGLECOMPUTE_BUILDER_ID = "packer.googlecompute";
    /** Environment a build gets: how often to poll operations, in seconds (the stand-in and tools honour it). */
    public static final String ENV_POLL_SECONDS = "KILN_GCP_POLL_SECONDS";
    /** Environment a build gets when the provider has an endpoint override: the endpoint. */
    public static final String ENV_ENDPOINT = "KILN_GCP_ENDPOINT";
    /** Environment a build gets: the zone it should run in. */
    public static final String ENV_ZONE = "KILN_GCP_ZONE";
    /** The machine type packer 1.6.6's googlecompute builder uses when the template names none. */
    public static final String DEFAULT_MACHINE_TYPE = "n1-standard-1";

    private static final Map<String, String> REGION_METRICS = Map.of(
            "CPUS", Demand.VCPUS,
            "INSTANCES", Demand.INSTANCES,
            "DISKS_TOTAL_GB", Demand.DISK_GB,
            "IN_USE_ADDRESSES", Demand.ADDRESSES);
    private static final String SSD_METRIC = "SSD_TOTAL_GB";
    private static final String ALL_REGIONS_CPUS = "CPUS_ALL_REGIONS";

    private final GcpSettings settings;
    private final ComputeClients clients;
    private final Calls calls;
    private final Operations operations;
    private final Sweeper sweeper;
    private final Map<String, Set<String>> probedMetrics = new ConcurrentHashMap<>();
    private final Map<String, List<String>> zonesByRegion = new ConcurrentHashMap<>();
    private final Map<String, Integer> machineTypeCpus = new ConcurrentHashMap<>();

    private GcpProvider(GcpSettings settings) {
        this.settings = settings;
        this.clients = new ComputeClients(settings);
        this.calls = new Calls(settings);
        this.operations = new Operations(clients, calls, settings);
        this.sweeper = new Sweeper(clients, calls, operations, BUILD_ID_LABEL, EXPIRY_LABEL);
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
        return NameRules.gcp();
    }

    /** Kiln's list of Compute Engine regions and this provider's rate quotas: see {@link GcpCatalog}. */
    @Override
    public ProviderCatalog catalog() {
        return GcpCatalog.of(settings.id(), settings.limits());
    }

    @Override
    public LimitsTable apiLimits(Target target) {
        return settings.limits();
    }

    @Override
    public CostModel costModel(ImageSpec image, Target target) {
        return settings.costModel();
    }

    // ------------------------------------------------------------------ quotas and demand

    @Override
    public QuotaSnapshot probeQuotas(Target target) {
        String project = target.account();
        Region region = calls.call(target, "read", "regions.get", () -> {
            try {
                return clients.regions().get(project, target.region());
            } catch (NotFoundException e) {
                throw new KilnException("Compute Engine has no region '" + target.region() + "' in project '"
                        + project + "' (target " + target.key() + "); use a region name such as us-east1", e);
            }
        });
        Project p = calls.call(target, "read", "projects.get", () -> clients.projects().get(project));
        Map<String, Quota> quotas = new LinkedHashMap<>();
        for (com.google.cloud.compute.v1.Quota q : region.getQuotasList()) {
            String metric = q.getMetric();
            String name = REGION_METRICS.get(metric);
            if (name == null && (metric.endsWith("_CPUS") || metric.equals(SSD_METRIC))) {
                name = metric;
            }
            if (name != null) {
                quotas.put(name, quota(name, Scope.REGION, q));
            }
        }
        for (com.google.cloud.compute.v1.Quota q : p.getQuotasList()) {
            if (q.getMetric().equals("IMAGES")) {
                quotas.put(Demand.IMAGES, quota(Demand.IMAGES, Scope.ACCOUNT, q));
            } else if (q.getMetric().equals(ALL_REGIONS_CPUS)) {
                quotas.put(ALL_REGIONS_CPUS, quota(ALL_REGIONS_CPUS, Scope.ACCOUNT, q));
            }
        }
        List<String> zones = new ArrayList<>();
        region.getZonesList().forEach(z -> zones.add(z.substring(z.lastIndexOf('/') + 1)));
        zonesByRegion.put(target.key(), List.copyOf(zones));
        probedMetrics.put(target.key(), Set.copyOf(quotas.keySet()));
        return new QuotaSnapshot(target, calls.time().now(), quotas);
    }

    private static Quota quota(String metric, Scope scope, com.google.cloud.compute.v1.Quota q) {
        return new Quota(metric, scope, (long) Math.floor(q.getLimit()), (long) Math.ceil(q.getUsage()));
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
        Target target = job.target();
        ImageSpec image = job.image();
        String machineType = image.instanceSize() == null ? DEFAULT_MACHINE_TYPE : image.instanceSize();
        long vcpus = image.vcpus() != null ? image.vcpus() : cpusOf(target, machineType);
        long disk = Math.max(10, image.diskGb());
        String diskType = target.option("disk_type", "pd-standard");
        boolean ssd = diskType.equals("pd-ssd") || diskType.equals("pd-balanced");
        boolean address = !Boolean.parseBoolean(target.option("omit_external_ip", "false"));
        Map<String, Long> amounts = new LinkedHashMap<>();
        amounts.put(Demand.VCPUS, vcpus);
        String family = Shapes.familyMetric(machineType);
        if (family != null) {
            amounts.put(family, vcpus);
        }
        amounts.put(ALL_REGIONS_CPUS, vcpus);
        amounts.put(Demand.INSTANCES, 1L);
        amounts.put(ssd ? SSD_METRIC : Demand.DISK_GB, disk);
        amounts.put(Demand.ADDRESSES, address ? 1L : 0L);
        amounts.put(Demand.IMAGES, 1L);
        Set<String> reported = probedMetrics.get(target.key());
        if (reported == null) {
            probeQuotas(target);
            reported = probedMetrics.get(target.key());
        }
        Demand demand = Demand.NONE;
        for (var e : amounts.entrySet()) {
            if (reported.contains(e.getKey())) {
                demand = demand.with(e.getKey(), e.getValue());
            }
        }
        return demand;
    }

    private long cpusOf(Target target, String machineType) {
        OptionalInt known = Shapes.vcpus(machineType);
        if (known.isPresent()) {
            return known.getAsInt();
        }
        String zone = zoneOf(target);
        String key = target.account() + "/" + zone + "/" + machineType;
        Integer cached = machineTypeCpus.get(key);
        if (cached != null) {
            return cached;
        }
        MachineType type = calls.call(target, "read", "machineTypes.get", () -> {
            try {
                return clients.machineTypes().get(target.account(), zone, machineType);
            } catch (NotFoundException e) {
                throw new KilnException("machine type '" + machineType + "' does not exist in zone " + zone
                        + " of project '" + target.account() + "'", e);
            }
        });
        machineTypeCpus.put(key, type.getGuestCpus());
        return type.getGuestCpus();
    }

    /** The target's {@code zone} option, else the first zone its region listed, else {@code <region>-b}. */
    private String zoneOf(Target target) {
        String zone = target.options().get("zone");
        if (zone != null) {
            return zone;
        }
        List<String> zones = zonesByRegion.get(target.key());
        return zones == null || zones.isEmpty() ? target.region() + "-b" : zones.get(0);
    }

    // ------------------------------------------------------------------ images

    /** Whether the project holds an image of that name: GCE image names are unique per project, whatever the region. */
    @Override
    public boolean imageExists(Target target, String name) {
        try {
            calls.call(target, "read", "images.get", () -> clients.images().get(GetImageRequest.newBuilder()
                    .setProject(target.account()).setImage(name).build()));
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /**
     * Checks the images the build reported (googlecompute artifacts name them), or the job's
     * image name when none did (builds that report no googlecompute artifact): each must exist in
     * the project, be {@code READY}, and carry {@code kiln-build-id=<build id>}.
     */
    @Override
    public ArtifactCheck verifyArtifact(BuildJob job, List<Artifact> artifacts) {
        Target target = job.target();
        Set<String> names = new LinkedHashSet<>();
        for (Artifact a : artifacts) {
            if (GOOGLECOMPUTE_BUILDER_ID.equals(a.builderId())) {
                for (String id : a.id().split(",")) {
                    if (!id.isBlank()) {
                        names.add(id.trim());
                    }
                }
            }
        }
        if (names.isEmpty()) {
            names.add(job.imageName());
        }
        List<String> verified = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String name : names) {
            String where = "projects/" + target.account() + "/global/images/" + name;
            Image image;
            try {
                image = calls.call(target, "read", "images.get", () -> clients.images().get(GetImageRequest
                        .newBuilder().setProject(target.account()).setImage(name).build()));
            } catch (NotFoundException e) {
                problems.add("no image " + name + " in project '" + target.account() + "'");
                continue;
            } catch (KilnException e) {
                problems.add("could not read image " + where + ": " + e.getMessage());
                continue;
            }
            String label = image.getLabelsMap().get(BUILD_ID_LABEL);
            if (!image.getStatus().equals("READY")) {
                problems.add("image " + where + " is " + image.getStatus() + ", not READY");
            } else if (!job.buildId().equals(label)) {
                problems.add("image " + where + " is labelled " + BUILD_ID_LABEL + "=" + (label == null ? "(none)"
                        : label) + ", not " + job.buildId() + ": it was not made by this build, or the template does"
                        + " not set image_labels");
            } else {
                verified.add(where);
            }
        }
        return new ArtifactCheck(verified, problems);
    }

    // ------------------------------------------------------------------ sweep and packer

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
        Map<String, String> env = new LinkedHashMap<>();
        double factor = budget.rateFactor() > 0 && budget.rateFactor() <= 1 ? budget.rateFactor() : 1.0;
        double seconds = settings.packerPollInterval().toNanos() / 1e9 / factor;
        env.put(ENV_POLL_SECONDS, String.format(Locale.ROOT, "%.3f", seconds));
        env.put(ENV_ZONE, zoneOf(target));
        if (settings.endpoint() != null) {
            env.put(ENV_ENDPOINT, settings.endpointText());
        }
        return env;
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
