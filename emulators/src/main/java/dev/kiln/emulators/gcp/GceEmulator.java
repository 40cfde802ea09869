package dev.kiln.emulators.gcp;

import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.EmulatorSettings;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.spi.EmulatorBase;
import dev.kiln.emulators.spi.EmulatorServer;
import dev.kiln.emulators.spi.Mounts;
import dev.kiln.emulators.spi.RateLimitedEmulatorBuilder;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.time.TimeSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process Google Compute Engine that speaks the Compute Engine REST API (v1, JSON) on a
 * loopback port (and over HTTPS when given a {@link dev.kiln.emulators.TestCa}), with its batch
 * endpoint and discovery document, so gcloud, google-api-python-client, the official Java client
 * ({@code setEndpoint("http://127.0.0.1:PORT")} with {@code NoCredentialsProvider}) and Kiln's GCP
 * provider can run against it.
 *
 * <p>It keeps images (global, per project; public images in {@code debian-cloud} and
 * {@code ubuntu-os-cloud}), instances and disks (per zone), static addresses (per region) and
 * operations (zonal, regional, global), moving them through their states on the configured
 * {@link TimeSource}; answers regions and the project with their quotas and live usage; refuses
 * inserts that would pass CPUS, a family's CPUs, INSTANCES, disk, address or IMAGES quotas with an
 * operation error {@code QUOTA_EXCEEDED}; counts every call against per-minute fixed-window rate
 * quotas per project and per region, refusing with Compute Engine's 403 {@code rateLimitExceeded}
 * (or 429 {@code RESOURCE_EXHAUSTED}); and counts every call. Projects exist as soon as they are
 * named; requests carry no credentials that are checked.
 *
 * <pre>{@code
 * try (GceEmulator gce = GceEmulator.builder().regionQuota("CPUS", 8).start()) {
 *     RegionsClient regions = RegionsClient.create(RegionsSettings.newBuilder()
 *             .setEndpoint(gce.endpoint().toString())
 *             .setCredentialsProvider(NoCredentialsProvider.create()).build());
 * }
 * }</pre>
 */
public final class GceEmulator extends EmulatorBase {

    /** The launcher's name for this emulator. */
    public static final String PROVIDER = "gcp";
    /** A project name for tests that do not care which. */
    public static final String DEFAULT_PROJECT = "kiln-emulated";

    /** How a refused call is answered. */
    public enum ThrottleStyle {
        /** 403 {@code {"error":{"errors":[{"domain":"usageLimits","reason":"rateLimitExceeded"}]}}}: Compute v1's classic answer. */
        FORBIDDEN_403,
        /** 429 {@code RESOURCE_EXHAUSTED} with ErrorInfo {@code RATE_LIMIT_EXCEEDED}: the newer form. */
        RESOURCE_EXHAUSTED_429
    }

    /** The regions and zones answered unless told otherwise. */
    public static final Map<String, List<String>> DEFAULT_ZONES = defaultZones();

    /** Region quotas every region has unless told otherwise. */
    public static final Map<String, Double> DEFAULT_REGION_QUOTAS = defaultRegionQuotas();

    /** Project-wide quotas unless told otherwise. */
    public static final Map<String, Double> DEFAULT_PROJECT_QUOTAS = defaultProjectQuotas();

    private final GceWorld world;
    private final Quotas quotas;
    private final AtomicLong withBearer = new AtomicLong();

    private GceEmulator(GceConfig config) {
        super(PROVIDER, "GCE", config.common(), config.limits());
        this.world = new GceWorld(config);
        this.quotas = new Quotas(world);
        EmulatorServer.Handler compute = pipeline(new GceProtocol(world, quotas, this::firstUnknown,
                withBearer::incrementAndGet));
        listen(Mounts.builder()
                .when(OAuthTokens::accepts, new OAuthTokens(world.json,
                        () -> record("", "global", "oauth2.token", 200, null, Outcome.OK)))
                .when(GceBatch::accepts, new GceBatch(compute, (status, reason) -> record("", "global", "batch",
                        status, reason, reason == null ? Outcome.OK : Outcome.ERROR)))
                .otherwise(compute));
    }

    private static Map<String, List<String>> defaultZones() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("us-central1", List.of("us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"));
        m.put("us-east1", List.of("us-east1-b", "us-east1-c", "us-east1-d"));
        m.put("us-east4", List.of("us-east4-a", "us-east4-b", "us-east4-c"));
        m.put("us-west1", List.of("us-west1-a", "us-west1-b", "us-west1-c"));
        m.put("europe-west1", List.of("europe-west1-b", "europe-west1-c", "europe-west1-d"));
        m.put("europe-west4", List.of("europe-west4-a", "europe-west4-b", "europe-west4-c"));
        m.put("asia-east1", List.of("asia-east1-a", "asia-east1-b", "asia-east1-c"));
        return Collections.unmodifiableMap(m);
    }

    private static Map<String, Double> defaultProjectQuotas() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("IMAGES", 2000.0);
        m.put("CPUS_ALL_REGIONS", 64.0);
        m.put("SNAPSHOTS", 5000.0);
        return Collections.unmodifiableMap(m);
    }

    private static Map<String, Double> defaultRegionQuotas() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("CPUS", 24.0);
        m.put("N2_CPUS", 24.0);
        m.put("N2D_CPUS", 24.0);
        m.put("C2_CPUS", 24.0);
        m.put("E2_CPUS", 24.0);
        m.put("INSTANCES", 100.0);
        m.put("DISKS_TOTAL_GB", 4096.0);
        m.put("SSD_TOTAL_GB", 500.0);
        m.put("IN_USE_ADDRESSES", 8.0);
        m.put("STATIC_ADDRESSES", 8.0);
        return Collections.unmodifiableMap(m);
    }

    /** A builder with every default: loopback, a free port, system time, throttling on, {@link ProviderDefaults#gcp()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts an emulator with every default. */
    public static GceEmulator start() {
        return builder().start();
    }

    /** Starts an emulator with the launcher's settings and every other default. */
    public static GceEmulator start(EmulatorSettings settings) {
        return builder().settings(settings).start();
    }

    /** Compute Engine's, its discovery's and its token service's host names, for the HTTPS certificate. */
    @Override
    protected java.util.Collection<String> hostNames() {
        return List.of("compute.googleapis.com", "www.googleapis.com", "oauth2.googleapis.com");
    }

    /**
     * Every instance, disk and image carrying the label {@code key=value}, in every project. Stopped
     * ({@code TERMINATED}) instances are included: Compute Engine keeps them, and their disks, until
     * they are deleted. Images are included in every state, {@code READY} ones too.
     */
    @Override
    protected List<TaggedResource> tagged(String key, String value) {
        return world.resourcesTagged(key, value);
    }

    /** Requests the emulator had no method for (answered 404), since start or reset, as {@code METHOD path}. */
    public Set<String> unknownRoutes() {
        return unknownRequests();
    }

    /**
     * Calls (since start or reset) that carried {@code Authorization: Bearer ...}. The emulator checks
     * no credentials; this tells whether a client sent any. Tokens come from {@code POST /token},
     * which answers every request, so a credentials file whose {@code token_uri} is
     * {@code <endpoint>/token} works here.
     */
    public long callsWithBearerToken() {
        return withBearer.get();
    }

    /** Usage of a region quota ({@code CPUS}, {@code N2_CPUS}, {@code INSTANCES}, ...) now. */
    public double quotaUsage(String project, String region, String metric) {
        double[] lu = world.locked(() -> quotas.regionQuotas(project, region)).get(metric);
        return lu == null ? 0 : lu[1];
    }

    /** Usage of a project-wide quota ({@code IMAGES}, {@code CPUS_ALL_REGIONS}) now. */
    public double projectQuotaUsage(String project, String metric) {
        double[] lu = world.locked(() -> quotas.projectQuotas(project)).get(metric);
        return lu == null ? 0 : lu[1];
    }

    /**
     * The highest usage a quota reached since start or reset: {@code region} null for a project-wide
     * quota. Quotas are enforced, so this never passes the limit; it tells whether a run came close.
     */
    public double peakQuotaUsage(String project, String region, String metric) {
        return world.locked(() -> quotas.peakUsage(project, region, metric));
    }

    /** Marks an image {@code FAILED}, as one whose creation broke half way (debris a sweep must remove). */
    public void failImage(String project, String name) {
        world.locked(() -> {
            world.image(project, name).failed = true;
            return null;
        });
    }

    @Override
    public void reset() {
        world.reset();
        resetRecords();
        withBearer.set(0);
    }

    /** Builds a {@link GceEmulator}; {@link #start()} copies the settings, so a builder can start several. */
    public static final class Builder extends RateLimitedEmulatorBuilder<Builder, GceEmulator, GceDelays> {
        private Map<String, List<String>> zones = DEFAULT_ZONES;
        private final Map<String, Double> regionQuotas = new LinkedHashMap<>(DEFAULT_REGION_QUOTAS);
        private final Map<String, Map<String, Double>> regionQuotaOverrides = new LinkedHashMap<>();
        private final Map<String, Double> projectQuotas = new LinkedHashMap<>(DEFAULT_PROJECT_QUOTAS);
        private ThrottleStyle throttleStyle = ThrottleStyle.FORBIDDEN_403;
        private final Set<String> deniedProjects = new LinkedHashSet<>();

        private Builder() {
            super("GCE", ProviderDefaults.gcp(), LimitSpec.class, GceDelays.defaults());
        }

        /** The regions and their zones; default {@link #DEFAULT_ZONES}. Calls naming others are answered 404. */
        public Builder zones(Map<String, List<String>> zonesByRegion) {
            if (zonesByRegion.isEmpty()) {
                throw new IllegalArgumentException("give at least one region");
            }
            Map<String, List<String>> copy = new LinkedHashMap<>();
            zonesByRegion.forEach((region, zs) -> {
                for (String z : zs) {
                    if (!GceConfig.regionOf(z).equals(region)) {
                        throw new IllegalArgumentException("zone " + z + " is not in region " + region
                                + " (a zone is its region, a dash and a letter)");
                    }
                }
                copy.put(region, List.copyOf(zs));
            });
            this.zones = copy;
            return this;
        }

        /** The limit of a region quota ({@code CPUS}, {@code N2_CPUS}, {@code DISKS_TOTAL_GB}, ...) in every region. */
        public Builder regionQuota(String metric, double limit) {
            regionQuotas.put(requireMetric(metric), requireNonNegative(limit, metric));
            return this;
        }

        /** The limit of a region quota in one region. */
        public Builder regionQuota(String region, String metric, double limit) {
            regionQuotaOverrides.computeIfAbsent(Objects.requireNonNull(region, "region"), r -> new LinkedHashMap<>())
                    .put(requireMetric(metric), requireNonNegative(limit, metric));
            return this;
        }

        /** The limit of a project-wide quota ({@code IMAGES}, {@code CPUS_ALL_REGIONS}, {@code SNAPSHOTS}). */
        public Builder projectQuota(String metric, double limit) {
            projectQuotas.put(requireMetric(metric), requireNonNegative(limit, metric));
            return this;
        }

        /** How refused calls are answered; default {@link ThrottleStyle#FORBIDDEN_403}. */
        public Builder throttleStyle(ThrottleStyle style) {
            this.throttleStyle = Objects.requireNonNull(style, "style");
            return this;
        }

        /** Every call into {@code project} is answered 403 {@code forbidden}, as for credentials without access to it. */
        public Builder denyProject(String project) {
            deniedProjects.add(Objects.requireNonNull(project, "project"));
            return this;
        }

        /** Binds the port and starts answering. */
        @Override
        public GceEmulator start() {
            Map<String, Map<String, Double>> overrides = new LinkedHashMap<>();
            regionQuotaOverrides.forEach((r, m) -> overrides.put(r, Map.copyOf(m)));
            return new GceEmulator(new GceConfig(common(), limitSettings(), Collections.unmodifiableMap(
                    new LinkedHashMap<>(zones)), Collections.unmodifiableMap(new LinkedHashMap<>(regionQuotas)),
                    Map.copyOf(overrides), Collections.unmodifiableMap(new LinkedHashMap<>(projectQuotas)),
                    throttleStyle, delays, Set.copyOf(deniedProjects)));
        }

        private static String requireMetric(String metric) {
            if (metric == null || !metric.matches("[A-Z][A-Z0-9_]*")) {
                throw new IllegalArgumentException("a quota metric is upper-case, e.g. CPUS or N2_CPUS; got '" + metric
                        + "'");
            }
            return metric;
        }

        private static double requireNonNegative(double v, String what) {
            if (!(v >= 0)) {
                throw new IllegalArgumentException("the " + what + " quota cannot be negative, got " + v);
            }
            return v;
        }
    }
}
