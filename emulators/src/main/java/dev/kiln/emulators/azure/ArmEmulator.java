package dev.kiln.emulators.azure;

import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.EmulatorSettings;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.spi.EmulatorBase;
import dev.kiln.emulators.spi.Mounts;
import dev.kiln.emulators.spi.RateLimitedEmulatorBuilder;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.time.TimeSource;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An in-process Azure Resource Manager that speaks ARM's JSON REST protocol on one loopback port,
 * plain HTTP, so the Azure SDK for Java (pointed at it through an {@code AzureEnvironment} whose
 * resource manager endpoint is {@link #endpoint()}) and packer-like clients can run against it.
 *
 * <p>It keeps subscriptions, resource groups, VMs, managed disks, network interfaces, public IPs,
 * virtual networks and subnets, managed images, Compute galleries with image definitions and
 * versions, and template deployments; answers long-running operations with 201/202 +
 * {@code Azure-AsyncOperation} and {@code Location} that finish on its {@link TimeSource};
 * computes Compute usages from the VMs that hold cores; throttles with ARM's subscription/region
 * buckets and Compute's policies and puts {@code x-ms-ratelimit-remaining-*} on every answer;
 * refuses VMs over quota with the 409 {@code OperationNotAllowed} Compute gives; validates
 * {@code api-version}; and counts every call. A minimal Azure AD token endpoint answers
 * {@code POST /{tenant}/oauth2/token} (and {@code /oauth2/v2.0/token}) with an unsigned JWT.
 *
 * <pre>{@code
 * try (ArmEmulator arm = ArmEmulator.builder().coresLimit(20).start()) {
 *     ... AzureEnvironment with resourceManagerEndpointUrl = arm.endpoint() + "/" ...
 * }
 * }</pre>
 */
public final class ArmEmulator extends EmulatorBase {

    /** The launcher's name for this emulator. */
    public static final String PROVIDER = "azure";
    /** The subscription known from the start (any other well-formed one is accepted on first use). */
    public static final String DEFAULT_SUBSCRIPTION = "0b3c1f9e-0000-4000-8000-000000000001";
    /** The tenant the token endpoint and subscriptions name. */
    public static final String DEFAULT_TENANT = "72f988bf-0000-4000-8000-00000000c0de";
    /** The object id every token carries (the service principal's, as packer reads it from the token). */
    public static final String OBJECT_ID = "5a0e2f1c-0000-4000-8000-0000000000b1";
    /** The regions the emulator lists; others still answer calls. */
    public static final List<String> DEFAULT_REGIONS = List.of("eastus", "eastus2", "westus2", "westeurope",
            "northeurope", "uksouth", "southeastasia", "australiaeast");

    private static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}");

    private final ArmConfig config;
    private final ArmWorld world;

    private ArmEmulator(ArmConfig config) {
        super(PROVIDER, "ARM", config.common(), config.limits());
        this.config = config;
        this.world = new ArmWorld(config);
        listen(Mounts.builder()
                .when(AadTokens::accepts, new AadTokens(world,
                        (tenant, action) -> record(tenant, "global", action, 200, null, Outcome.OK)))
                .when(AadDiscovery::accepts, new AadDiscovery(
                        (tenant, action) -> record(tenant, "global", action, 200, null, Outcome.OK)))
                .otherwise(pipeline(new ArmProtocol(world, config, this::firstUnknown))));
    }

    /** A builder with every default: loopback, a free port, system time, throttling on, 100 cores per region. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts an emulator with every default. */
    public static ArmEmulator start() {
        return builder().start();
    }

    /** Starts an emulator with the launcher's settings and every other default. */
    public static ArmEmulator start(EmulatorSettings settings) {
        return builder().settings(settings).start();
    }

    /** The token endpoint's authority: {@code endpoint()/} (tokens at {@code {authority}{tenant}/oauth2/token}). */
    public URI activeDirectoryEndpoint() {
        return URI.create(endpoint() + "/");
    }

    /** The tenant of the emulator's subscriptions. */
    public String tenant() {
        return config.tenant();
    }

    /** ARM's and Azure AD's host names, for the HTTPS listener's certificate. */
    @Override
    protected java.util.Collection<String> hostNames() {
        return List.of("management.azure.com", "management.core.windows.net", "login.microsoftonline.com");
    }

    @Override
    protected List<TaggedResource> tagged(String key, String value) {
        return world.resourcesTagged(key, value);
    }

    /** Requests the emulator had no route for (answered 404 {@code NotFound}), since start or reset. */
    public Set<String> unknownRoutes() {
        return unknownRequests();
    }

    /** vCPUs that VMs not deallocated hold in {@code subscription}'s {@code region}. */
    public int coresInUse(String subscription, String region) {
        world.tick();
        return world.coresInUse(subscription.toLowerCase(Locale.ROOT), region, null);
    }

    /** The largest number of cores ever in use at once in a subscription and region, since start or reset. */
    public int peakCoresInUse(String subscription, String region) {
        return world.peakCores(subscription.toLowerCase(Locale.ROOT), region);
    }

    @Override
    public void reset() {
        world.reset();
        resetRecords();
    }

    /** Builds an {@link ArmEmulator}; {@link #start()} copies the settings, so a builder can start several. */
    public static final class Builder extends RateLimitedEmulatorBuilder<Builder, ArmEmulator, ArmDelays> {
        private String tenant = DEFAULT_TENANT;
        private final List<String> subscriptions = new ArrayList<>(List.of(DEFAULT_SUBSCRIPTION));
        private List<String> regions = DEFAULT_REGIONS;
        private int coresLimit = 100;
        private final Map<String, Integer> coresLimits = new LinkedHashMap<>();
        private int familyLimit = 100;
        private final Map<String, Integer> familyLimits = new LinkedHashMap<>();

        private Builder() {
            super("ARM", ProviderDefaults.azure(), LimitSpec.TokenBucket.class, ArmDelays.defaults());
        }

        /** The tenant id subscriptions and tokens name; default {@value #DEFAULT_TENANT}. */
        public Builder tenant(String tenantId) {
            this.tenant = requireGuid(tenantId, "tenant id");
            return this;
        }

        /** Lists another subscription from the start (calls to any well-formed one are answered anyway). */
        public Builder subscription(String subscriptionId) {
            subscriptions.add(requireGuid(subscriptionId, "subscription id").toLowerCase(Locale.ROOT));
            return this;
        }

        /** The regions the emulator lists; default {@link #DEFAULT_REGIONS}. */
        public Builder regions(List<String> names) {
            if (names.isEmpty()) {
                throw new IllegalArgumentException("give at least one region");
            }
            this.regions = List.copyOf(names);
            return this;
        }

        /** The "Total Regional vCPUs" ({@code cores}) limit of every subscription and region; default 100. */
        public Builder coresLimit(int cores) {
            this.coresLimit = requireNonNegative(cores, "cores limit");
            return this;
        }

        /** The {@code cores} limit of one subscription in one region. */
        public Builder coresLimit(String subscriptionId, String region, int cores) {
            coresLimits.put(requireGuid(subscriptionId, "subscription id").toLowerCase(Locale.ROOT) + "/"
                    + Objects.requireNonNull(region, "region"), requireNonNegative(cores, "cores limit"));
            return this;
        }

        /** The vCPU limit of every VM family (e.g. {@code standardDSv3Family}) unless set per family; default 100. */
        public Builder familyLimit(int cores) {
            this.familyLimit = requireNonNegative(cores, "family limit");
            return this;
        }

        /** The vCPU limit of one family, e.g. {@code familyLimit("standardDSv3Family", 8)}, everywhere. */
        public Builder familyLimit(String family, int cores) {
            familyLimits.put(Objects.requireNonNull(family, "family"), requireNonNegative(cores, "family limit"));
            return this;
        }

        /** Binds the port and starts answering. */
        @Override
        public ArmEmulator start() {
            return new ArmEmulator(new ArmConfig(common(), ComputeWindows.of(limitSettings()), tenant, List.copyOf(subscriptions), regions,
                    coresLimit, Map.copyOf(coresLimits), familyLimit, Map.copyOf(familyLimits), delays));
        }

        private static String requireGuid(String value, String what) {
            if (value == null || !GUID.matcher(value).matches()) {
                throw new IllegalArgumentException("an Azure " + what + " is a GUID such as "
                        + DEFAULT_SUBSCRIPTION + ", got '" + value + "'");
            }
            return value;
        }

        private static int requireNonNegative(int v, String what) {
            if (v < 0) {
                throw new IllegalArgumentException(what + " cannot be negative, got " + v);
            }
            return v;
        }
    }
}
