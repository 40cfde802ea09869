package dev.kiln.vsphere;

import dev.kiln.KilnException;
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
import dev.kiln.spi.ArtifactCheck;
import dev.kiln.spi.Budget;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderContext;
import dev.kiln.spi.SweepReport;
import dev.kiln.vsphere.internal.Artifacts;
import dev.kiln.vsphere.internal.Credentials;
import dev.kiln.vsphere.internal.Limits;
import dev.kiln.vsphere.internal.Names;
import dev.kiln.vsphere.internal.Quotas;
import dev.kiln.vsphere.internal.Sweeper;
import dev.kiln.vsphere.internal.Tags;
import dev.kiln.vsphere.internal.Tls;
import dev.kiln.vsphere.internal.Vcenters;
import dev.kiln.vsphere.internal.VsphereCatalog;
import dev.kiln.vsphere.internal.VsphereSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Kiln's {@link CloudProvider} for VMware vSphere ({@code provider: vsphere} in plans), speaking the
 * vSphere Automation REST API of vCenter with the JDK's HTTP client.
 *
 * <pre>{@code
 * CloudProvider vsphere = VsphereProvider.builder()
 *         .vcenter(URI.create("https://vcenter.example.com"))
 *         .credentialsFromEnvironment("VSPHERE_USER", "VSPHERE_PASSWORD")
 *         .trustStore(Path.of("/etc/kiln/vcenter-ca.p12"), "changeit".toCharArray())
 *         .build();
 * }</pre>
 *
 * <p>A target is a vCenter ({@code account}, mapped to a URL with {@link Builder#vcenter(String,
 * URI)}) and an ESXi host or cluster ({@code region}); its {@code options} may name the
 * {@code datastore}, the VM {@code folder}, the content {@code library} templates are exported to,
 * and the {@code source} VM builds clone from. What it does for Kiln, per target:
 * <ul>
 *   <li>limits: the provisioning costs vCenter allows at once, 8 per host and 128 per datastore,
 *       held by every build ({@code vcenter.host}, {@code vcenter.datastore.<name>}) because vCenter
 *       silently queues what goes over them; and a generous bucket for Kiln's own REST calls;</li>
 *   <li>capacity: the datastore's capacity and free space as the metric {@code disk_gb} (and the
 *       VMs in the folder as {@code instances}, when {@link Builder#folderVmLimit(long)} is set);
 *       that the host or cluster, datastore, folder, library and source VM exist;</li>
 *   <li>image names: whether a VM or a content library item has the name already;</li>
 *   <li>artifacts: the powered-off VM or the content library item named like the image, tagged
 *       {@code kiln-build-id=<build id>};</li>
 *   <li>sweeps: every VM (powered off first) and library item tagged with a build id, then the tag,
 *       once the clone and create tasks vCenter was running when the sweep began have ended (one may
 *       be making the failed build's VM), for at most 10 minutes; expiry sweeps take the VMs tagged {@code kiln-expires-at=<epoch seconds>} once that has
 *       passed, then the tag.</li>
 * </ul>
 *
 * <p>Credentials are asked for at each login and never logged, put in exception messages or
 * handed to packer. Certificates are verified by default. Every REST call goes through Kiln's
 * {@link dev.kiln.spi.ApiGate}. Thread-safe; closing it logs out of every vCenter.
 */
public final class VsphereProvider implements CloudProvider {

    /** The provider id plans use: {@code vsphere}. */
    public static final String ID = "vsphere";
    /** The tag category holding build ids, unless {@link Builder#tagCategory(String)} says otherwise. */
    public static final String DEFAULT_TAG_CATEGORY = "kiln-build-id";
    /** The tag category of expiries ({@code kiln_expires_at}): each tag named by epoch seconds. */
    public static final String EXPIRY_CATEGORY = Tags.EXPIRY_CATEGORY;

    private final Vcenters vcenters;
    private final Quotas quotas;
    private final Names names;
    private final Artifacts artifacts;
    private final Sweeper sweeper;
    private final Limits limits;

    private VsphereProvider(VsphereSettings settings) {
        this.vcenters = new Vcenters(settings);
        Tags tags = new Tags(vcenters);
        this.limits = new Limits(settings);
        this.quotas = new Quotas(vcenters, settings, limits);
        this.names = new Names(vcenters);
        this.artifacts = new Artifacts(vcenters, tags, settings, limits);
        this.sweeper = new Sweeper(vcenters, tags, settings);
    }

    /**
     * A builder with every default: {@code https://<account>}, verified TLS, and credentials from
     * VSPHERE_USER/VSPHERE_PASSWORD in the environment, or from the Java system properties
     * {@code vsphere.user}/{@code vsphere.password} when {@code vsphere.user} is set at {@link Builder#build()}.
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public void start(ProviderContext context) {
        vcenters.start(context);
    }

    /**
     * vSphere's name rule (1–80 characters without {@code %}, {@code /} or {@code \}), unique per
     * vCenter: Kiln checks VMs and content library items across the whole vCenter, and a build's
     * name must not collide with one on another host of it.
     */
    @Override
    public NameRule nameRule() {
        return names.rule();
    }

    /** Hosts of any name; the host, REST and datastore limits: see {@link VsphereCatalog}. */
    @Override
    public ProviderCatalog catalog() {
        return VsphereCatalog.catalog();
    }

    @Override
    public LimitsTable apiLimits(Target target) {
        return limits.api(target);
    }

    @Override
    public CostModel costModel(ImageSpec image, Target target) {
        return limits.costModel(target);
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
     * Sweeps as {@link #sweep} does a build, on the target's vCenter, every VM tagged in category
     * {@value #EXPIRY_CATEGORY} with a tag named by epoch seconds before {@code now} (powered off,
     * then deleted), then that tag. Content library items are kept, expired or not, and VM templates
     * are out of the VM service's sight. A tag whose name is not epoch seconds is reported as failed
     * and left with what it tags.
     */
    @Override
    public SweepReport sweepExpired(Target target, Instant now) {
        return sweeper.sweepExpired(target, Objects.requireNonNull(now, "now"));
    }

    /**
     * {@code KILN_VSPHERE_URL}, {@code KILN_VSPHERE_SERVER} (host[:port], for {@code vcenter_server}),
     * {@code KILN_VSPHERE_INSECURE}, {@code KILN_VSPHERE_HOST}, {@code KILN_VSPHERE_DATASTORE},
     * {@code KILN_VSPHERE_FOLDER}, {@code KILN_VSPHERE_LIBRARY}, {@code KILN_VSPHERE_SOURCE} (those
     * the target sets) and {@code KILN_VSPHERE_TAG_CATEGORY}. Never credentials: templates read
     * them from Kiln's own environment.
     */
    @Override
    public Map<String, String> packerEnv(Target target, Budget budget) {
        return limits.packerEnv(target, budget);
    }

    @Override
    public void close() {
        vcenters.close();
    }

    @Override
    public String toString() {
        return "VsphereProvider[" + vcenters + "]";
    }

    /** Configures a {@link VsphereProvider}; {@link #build()} copies the settings, so a builder can be reused. */
    public static final class Builder {
        private URI defaultVcenter;
        private final Map<String, URI> vcenters = new LinkedHashMap<>();
        private Credentials credentials;
        private final Map<String, Credentials> accountCredentials = new LinkedHashMap<>();
        private Path trustStore;
        private String trustStoreType;
        private char[] trustStorePassword;
        private boolean insecure;
        private String datastore;
        private long hostMaxCost = ProviderDefaults.VCENTER_HOST_MAX_COST;
        private long datastoreMaxCost = ProviderDefaults.VCENTER_DATASTORE_MAX_COST;
        private long cloneCost = ProviderDefaults.VCENTER_CLONE_COST;
        private long folderVmLimit;
        private String tagCategory = DEFAULT_TAG_CATEGORY;
        private Duration expectedBuildTime = Duration.ofMinutes(5);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /** The vCenter of every target whose account has no URL of its own. Default: {@code https://<account>}. */
        public Builder vcenter(URI url) {
            this.defaultVcenter = checkUrl(url);
            return this;
        }

        /** The vCenter of targets whose {@code account} is {@code account}. */
        public Builder vcenter(String account, URI url) {
            vcenters.put(Objects.requireNonNull(account, "account"), checkUrl(url));
            return this;
        }

        /**
         * The user and password of every vCenter without credentials of its own. {@code password} is
         * called at each login and the array it returns is wiped after use: return a fresh array
         * each time (e.g. {@code () -> vault.read("vcenter").toCharArray()}).
         */
        public Builder credentials(String user, Supplier<char[]> password) {
            this.credentials = new Credentials(requireText(user, "user"), Objects.requireNonNull(password,
                    "password"));
            return this;
        }

        /** The user and password for the vCenter of targets whose account is {@code account}; see above. */
        public Builder credentials(String account, String user, Supplier<char[]> password) {
            accountCredentials.put(Objects.requireNonNull(account, "account"), new Credentials(requireText(user,
                    "user"), Objects.requireNonNull(password, "password")));
            return this;
        }

        /**
         * Credentials read from two environment variables at each login. The default is VSPHERE_USER
         * and VSPHERE_PASSWORD, unless the Java system property {@code vsphere.user} is set when
         * {@link #build()} runs: then {@code vsphere.user} and {@code vsphere.password}, read at each login.
         */
        public Builder credentialsFromEnvironment(String userVariable, String passwordVariable) {
            this.credentials = Credentials.fromEnvironment(requireText(userVariable, "user variable"),
                    requireText(passwordVariable, "password variable"));
            return this;
        }

        /**
         * Trust the certificates in {@code path} (a PKCS12 file, or JKS when its name ends in
         * {@code .jks}) instead of the JDK's CAs; host names are still checked. For vCenters whose
         * certificate comes from VMCA or a company CA. The password is copied and wiped once read.
         */
        public Builder trustStore(Path path, char[] password) {
            return trustStore(path, null, password);
        }

        /** As {@link #trustStore(Path, char[])}, with an explicit keystore type ({@code PKCS12}, {@code JKS}). */
        public Builder trustStore(Path path, String type, char[] password) {
            this.trustStore = Objects.requireNonNull(path, "path");
            this.trustStoreType = type;
            this.trustStorePassword = password == null ? null : password.clone();
            this.insecure = false;
            return this;
        }

        /**
         * Accept any certificate, for any host name. For labs with self-signed vCenters only; never
         * the default, and packer templates are told (KILN_VSPHERE_INSECURE=true).
         */
        public Builder insecure() {
            this.insecure = true;
            this.trustStore = null;
            return this;
        }

        /** The datastore of targets whose options name none (builds need one; there is no default). */
        public Builder datastore(String name) {
            this.datastore = requireText(name, "datastore");
            return this;
        }

        /** Provisioning cost one host takes at once ({@code vcenter.host}); default 8 (16 on some 6.x+ builds). */
        public Builder hostMaxCost(long cost) {
            this.hostMaxCost = positive(cost, "host max cost");
            return this;
        }

        /** Provisioning cost one datastore takes at once; default 128. */
        public Builder datastoreMaxCost(long cost) {
            this.datastoreMaxCost = positive(cost, "datastore max cost");
            return this;
        }

        /** What one build holds of its host's and datastore's cost while it runs; default 1 (a clone). */
        public Builder cloneCost(long cost) {
            this.cloneCost = positive(cost, "clone cost");
            return this;
        }

        /** At most this many VMs in a target's folder (the quota {@code instances}); default: no such quota. */
        public Builder folderVmLimit(long vms) {
            this.folderVmLimit = positive(vms, "folder VM limit");
            return this;
        }

        /** The tag category holding build ids; default {@value VsphereProvider#DEFAULT_TAG_CATEGORY}. */
        public Builder tagCategory(String name) {
            this.tagCategory = requireText(name, "tag category");
            return this;
        }

        /** How long one build usually takes, for scheduling; default 5 minutes. Plans may say per image. */
        public Builder expectedBuildTime(Duration duration) {
            this.expectedBuildTime = positive(duration, "expected build time");
            return this;
        }

        /** TCP and TLS connect timeout; default 10 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connect timeout");
            return this;
        }

        /** Limit of one REST call; default 60 s. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "request timeout");
            return this;
        }

        /**
         * Builds the provider; reads the trust store now, so a wrong path or password fails here.
         *
         * @throws KilnException when the trust store cannot be read
         */
        public VsphereProvider build() {
            SSLContext tls;
            try {
                if (insecure) {
                    tls = Tls.insecure();
                } else if (trustStore != null) {
                    tls = Tls.trusting(trustStore, trustStoreType, trustStorePassword);
                } else {
                    tls = Tls.verifying();
                }
            } catch (IOException | GeneralSecurityException e) {
                throw new KilnException("cannot read the trust store " + trustStore + " (type " + (trustStoreType == null
                        ? "from its name" : trustStoreType) + "): " + e.getMessage(), e);
            } finally {
                if (trustStorePassword != null) {
                    Arrays.fill(trustStorePassword, '\0');
                    trustStorePassword = null;
                }
            }
            Credentials c = credentials != null ? credentials : Credentials.defaultChain();
            return new VsphereProvider(new VsphereSettings(defaultVcenter, vcenters, c, accountCredentials, tls,
                    insecure, datastore, hostMaxCost, datastoreMaxCost, cloneCost, folderVmLimit, tagCategory,
                    expectedBuildTime, connectTimeout, requestTimeout));
        }

        private static URI checkUrl(URI url) {
            Objects.requireNonNull(url, "url");
            String scheme = url.getScheme();
            if (scheme == null || !(scheme.equals("https") || scheme.equals("http")) || url.getHost() == null) {
                throw new IllegalArgumentException("a vCenter URL is https://host[:port] (http only for emulators),"
                        + " got '" + url + "'");
            }
            if (url.getRawUserInfo() != null) {
                throw new IllegalArgumentException("a vCenter URL carries no user or password: give them with"
                        + " credentials(...) or credentialsFromEnvironment(...)");
            }
            if (url.getRawQuery() != null || url.getRawFragment() != null) {
                throw new IllegalArgumentException("a vCenter URL has no query or fragment, got '" + url + "'");
            }
            String s = url.toString();
            return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        }

        private static String requireText(String s, String what) {
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException(what + " cannot be empty");
            }
            return s;
        }

        private static long positive(long v, String what) {
            if (v <= 0) {
                throw new IllegalArgumentException(what + " must be positive, got " + v);
            }
            return v;
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
