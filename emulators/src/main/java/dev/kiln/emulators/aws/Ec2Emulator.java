package dev.kiln.emulators.aws;

import dev.kiln.emulators.EmulatorSettings;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.spi.EmulatorBase;
import dev.kiln.emulators.spi.Mounts;
import dev.kiln.emulators.spi.RateLimitedEmulatorBuilder;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.time.TimeSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An in-process Amazon EC2 that speaks the EC2 Query protocol (API version 2016-11-15) and the
 * Service Quotas JSON 1.1 protocol on one loopback port, so the AWS SDK ({@code endpointOverride})
 * and packer's amazon-ebs builder ({@code custom_endpoint_ec2}) can run against it.
 *
 * <p>It keeps instances, images, snapshots, volumes, key pairs, security groups and tags per
 * account and region; gives every region a default VPC with subnets, an internet gateway and a
 * route table; moves resources through their states on the configured {@link TimeSource}; throttles
 * with EC2's request and resource token buckets; enforces the on-demand vCPU quota; and counts
 * every call. The region comes from each request's SigV4 credential scope, the account from its
 * access key id (signatures are not checked).
 *
 * <pre>{@code
 * try (Ec2Emulator ec2 = Ec2Emulator.builder().vcpuQuota(32).start()) {
 *     Ec2Client client = Ec2Client.builder().endpointOverride(ec2.endpoint()) ... .build();
 * }
 * }</pre>
 */
public final class Ec2Emulator extends EmulatorBase {

    /** The launcher's name for this emulator. */
    public static final String PROVIDER = "aws";
    /** The account every access key maps to unless told otherwise. */
    public static final String DEFAULT_ACCOUNT = "123456789012";
    /** Service Quotas code of "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", in vCPUs. */
    public static final String VCPU_QUOTA_CODE = "L-1216C47A";
    /** Service Quotas code of "AMIs" per region. */
    public static final String AMI_QUOTA_CODE = "L-B665C33B";
    /** The regions answered by DescribeRegions unless told otherwise. */
    public static final List<String> DEFAULT_REGIONS = List.of("us-east-1", "us-east-2", "us-west-1", "us-west-2",
            "ca-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "ap-south-1",
            "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "sa-east-1");

    private final Ec2Config config;
    private final Ec2World world;
    private final Ec2Protocol ec2;

    private Ec2Emulator(Ec2Config config) {
        this(config, new Ec2World(config));
    }

    private Ec2Emulator(Ec2Config config, Ec2World world) {
        super(PROVIDER, "EC2", config.common(), config.limits());
        this.config = config;
        this.world = world;
        this.ec2 = new Ec2Protocol(config, world, this::firstUnknown);
        // Service Quotas' JSON 1.1 requests name their operation in X-Amz-Target; EC2's Query requests never do.
        listen(Mounts.builder()
                .when(request -> request.header("X-Amz-Target") != null, pipeline(new ServiceQuotasProtocol(config)))
                .otherwise(pipeline(ec2)));
    }

    /** A builder with every default: loopback, a free port, system time, throttling on, 64 vCPUs. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts an emulator with every default. */
    public static Ec2Emulator start() {
        return builder().start();
    }

    /**
     * Starts a new emulator on {@code previous}'s port (and HTTPS port) that keeps {@code previous}'s state: its
     * instances, images, volumes, snapshots, key pairs, groups and tags, in the states they have
     * reached on its time source. This is a restart of EC2's API front end as clients see it:
     * connections refused while it was down, the account's resources unchanged after. The new
     * emulator is configured as the previous one was and starts with full buckets, no faults, zero
     * counters and an empty call journal. {@code previous} is closed first if it is not yet.
     *
     * @throws dev.kiln.KilnException when the port cannot be bound again
     */
    public static Ec2Emulator restart(Ec2Emulator previous) {
        Objects.requireNonNull(previous, "previous");
        int port = previous.port();
        int tlsPort = previous.tls().map(t -> t.endpoint().getPort()).orElse(0);
        previous.close();
        return new Ec2Emulator(previous.config.withPorts(port, tlsPort), previous.world);
    }

    /** Starts an emulator with the launcher's settings and every other default. */
    public static Ec2Emulator start(EmulatorSettings settings) {
        return builder().settings(settings).start();
    }

    /** EC2's and Service Quotas' host names in every region the emulator knows, for the HTTPS certificate. */
    @Override
    protected java.util.Collection<String> hostNames() {
        List<String> names = new java.util.ArrayList<>(List.of("ec2.amazonaws.com"));
        for (String region : config.regions()) {
            names.add("ec2." + region + ".amazonaws.com");
            names.add("servicequotas." + region + ".amazonaws.com");
        }
        return names;
    }

    @Override
    protected List<TaggedResource> tagged(String key, String value) {
        return world.resourcesTagged(key, value);
    }

    /** The EC2 actions answered (Service Quotas operations aside). */
    public Set<String> supportedActions() {
        return ec2.actionNames();
    }

    /** Actions asked for that the emulator does not know (answered {@code InvalidAction}), since start or reset. */
    public Set<String> unknownActions() {
        return unknownRequests();
    }

    /** The account an access key id maps to. */
    public String accountOf(String accessKeyId) {
        return config.accountOf(accessKeyId);
    }

    /** vCPUs that pending and running standard instances hold in {@code account}'s {@code region}. */
    public int vcpusInUse(String account, String region) {
        synchronized (world) {
            Ec2Region r = world.existing(account, region);
            if (r == null) {
                return 0;
            }
            r.tick();
            return r.vcpusInUse();
        }
    }

    /** The id of a public image every region offers, e.g. {@code amzn2-ami-hvm-2.0.20260101.0-x86_64-gp2}. */
    public String publicImageId(String region, String name) {
        return world.publicImages(region).stream().filter(i -> i.name.equals(name)).map(i -> i.id).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no public image named '" + name + "'; known: "
                        + world.publicImages(region).stream().map(i -> i.name).toList()));
    }

    @Override
    public void reset() {
        world.reset();
        resetRecords();
    }

    /** Builds an {@link Ec2Emulator}; {@link #start()} copies the settings, so a builder can start several. */
    public static final class Builder extends RateLimitedEmulatorBuilder<Builder, Ec2Emulator, Ec2Delays> {
        private String defaultAccount = DEFAULT_ACCOUNT;
        private final Map<String, String> accounts = new LinkedHashMap<>();
        private String defaultRegion = "us-east-1";
        private List<String> regions = DEFAULT_REGIONS;
        private int vcpuQuota = 64;
        private final Map<String, Integer> vcpuQuotas = new LinkedHashMap<>();
        private int amiQuota = 50_000;

        private Builder() {
            super("EC2", ProviderDefaults.aws(), LimitSpec.TokenBucket.class, Ec2Delays.defaults());
        }

        /** The account of access keys not mapped with {@link #account}; default {@value #DEFAULT_ACCOUNT}. */
        public Builder defaultAccount(String accountId) {
            this.defaultAccount = requireAccount(accountId);
            return this;
        }

        /** Calls signed with {@code accessKeyId} act in {@code accountId}. */
        public Builder account(String accessKeyId, String accountId) {
            accounts.put(Objects.requireNonNull(accessKeyId, "access key id"), requireAccount(accountId));
            return this;
        }

        /** Region of requests whose credential scope names none; default {@code us-east-1}. */
        public Builder defaultRegion(String region) {
            this.defaultRegion = Objects.requireNonNull(region, "region");
            return this;
        }

        /** The regions DescribeRegions answers; default {@link #DEFAULT_REGIONS}. Others still answer calls. */
        public Builder regions(List<String> names) {
            if (names.isEmpty()) {
                throw new IllegalArgumentException("give at least one region");
            }
            this.regions = List.copyOf(names);
            return this;
        }

        /** The on-demand standard vCPU quota ({@value #VCPU_QUOTA_CODE}) of every account and region; default 64. */
        public Builder vcpuQuota(int vcpus) {
            this.vcpuQuota = requireNonNegative(vcpus, "vCPU quota");
            return this;
        }

        /** The vCPU quota of one account in one region. */
        public Builder vcpuQuota(String accountId, String region, int vcpus) {
            vcpuQuotas.put(requireAccount(accountId) + "/" + Objects.requireNonNull(region, "region"),
                    requireNonNegative(vcpus, "vCPU quota"));
            return this;
        }

        /** AMIs per region ({@value #AMI_QUOTA_CODE}); default 50,000. */
        public Builder amiQuota(int images) {
            this.amiQuota = requireNonNegative(images, "AMI quota");
            return this;
        }

        /** Binds the port and starts answering. */
        @Override
        public Ec2Emulator start() {
            return new Ec2Emulator(new Ec2Config(common(), limitSettings(), defaultAccount, Map.copyOf(accounts),
                    defaultRegion, regions, vcpuQuota, Map.copyOf(vcpuQuotas), amiQuota, delays));
        }

        private static String requireAccount(String accountId) {
            if (accountId == null || !accountId.matches("\\d{12}")) {
                throw new IllegalArgumentException("an AWS account id is 12 digits, got '" + accountId + "'");
            }
            return accountId;
        }

        private static int requireNonNegative(int v, String what) {
            if (v < 0) {
                throw new IllegalArgumentException(what + " cannot be negative, got " + v);
            }
            return v;
        }
    }
}
