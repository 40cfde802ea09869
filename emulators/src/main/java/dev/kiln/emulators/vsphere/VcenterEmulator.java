package dev.kiln.emulators.vsphere;

import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.EmulatorSettings;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.spi.EmulatorBase;
import dev.kiln.emulators.spi.EmulatorBuilder;
import dev.kiln.emulators.spi.EmulatorServer;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import dev.kiln.emulators.spi.LimitSettings;
import dev.kiln.emulators.spi.Mounts;
import dev.kiln.emulators.vsphere.VcenterConfig.DatastoreSpec;
import dev.kiln.emulators.vsphere.VcenterConfig.HostSpec;
import dev.kiln.emulators.vsphere.VcenterConfig.LibrarySpec;
import dev.kiln.emulators.vsphere.VcenterConfig.VmSpec;
import dev.kiln.limits.ProviderDefaults;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * An in-process vCenter on one loopback HTTPS port with both of its APIs over one inventory: the
 * vSphere Automation REST API (the /api form of vSphere 7.0 U2+ and the legacy /rest form of
 * 6.5–7.0, answers wrapped in {@code {"value": ...}}; only the legacy form, like vCenter 6.7, with
 * {@link Builder#legacyOnly(boolean)}), and the vim25 SOAP API at {@code /sdk} that packer's
 * vsphere-clone and vsphere-iso builders, govmomi and pyvmomi speak, with the datastore file
 * access at {@code /folder} they upload ISOs and floppies through.
 *
 * <p>It keeps a datacenter with its folders, ESXi hosts (standalone, or in clusters), each compute
 * resource's root resource pool, networks, datastores whose free space shrinks with the disks of
 * the VMs on them, VM folders, VMs with their virtual hardware (listed, read, powered,
 * guest-shut-down, cloned, created, reconfigured, snapshotted, marked as templates, destroyed),
 * vim25 tasks and property collectors, content libraries with VM template and OVF items, and the
 * tagging service. Sessions come from basic authentication (REST) or {@code Login} (SOAP), with
 * the configured users, time out when idle, and run out past the session limit, one limit for
 * both APIs. Provisioning operations — clones and creates over either API, VM template and OVF
 * exports — cost 1 on their host (limit 8) and datastore (limit 128) while they run; over the limit
 * they wait for a slot instead of failing, as on a real vCenter (a SOAP task stays {@code queued}),
 * and the emulator records the highest cost each host and datastore ever had in flight
 * ({@link #provisioning()}). A VM made by {@code CreateVM_Task} has no guest OS: powered on, it
 * installs one for the install time and powers itself off, so a packer vsphere-iso build with
 * {@code communicator: none} finishes.
 *
 * <pre>{@code
 * try (VcenterEmulator vcenter = VcenterEmulator.builder().esxiHosts("esx-01", "esx-02").start()) {
 *     // packer: "vcenter_server": vcenter.endpoint().getAuthority(), "insecure_connection": true
 *     // REST:   POST vcenter.endpoint() + "/api/session" with basic auth DEFAULT_USER / DEFAULT_PASSWORD
 * }
 * }</pre>
 *
 * <p>Unless given a TLS context, it serves a self-signed certificate for its name, localhost and
 * the loopback addresses; clients skip the check or trust {@link #certificate()}. As on vCenter
 * 7+, VMs that are templates do not appear in the REST VM API; the SOAP API shows them.
 */
public final class VcenterEmulator extends EmulatorBase {

    /** The launcher's name for this emulator. */
    public static final String PROVIDER = "vsphere";
    /** The user every emulator accepts unless told otherwise. */
    public static final String DEFAULT_USER = "administrator@vsphere.local";
    /** {@link #DEFAULT_USER}'s password: a fixture, not a secret. */
    public static final String DEFAULT_PASSWORD = "Kiln-Emulator-1!";
    /** The datacenter of an emulator not told otherwise. */
    public static final String DEFAULT_DATACENTER = "Datacenter";
    /** The hosts of an emulator not told otherwise, each standalone (a compute resource of its own). */
    public static final List<String> DEFAULT_HOSTS = List.of("esx-01", "esx-02", "esx-03");
    /** The network of an emulator not told otherwise. */
    public static final String DEFAULT_NETWORK = "VM Network";
    /** The datastore of an emulator not told otherwise (4 TiB). */
    public static final String DEFAULT_DATASTORE = "datastore1";
    /** The VM folder of an emulator not told otherwise (besides the datacenter's {@code vm} folder). */
    public static final String DEFAULT_FOLDER = "kiln-builds";
    /** The content library of an emulator not told otherwise, on {@link #DEFAULT_DATASTORE}. */
    public static final String DEFAULT_LIBRARY = "kiln-images";
    /** The powered-off VM builds clone from, on the first host and {@link #DEFAULT_DATASTORE} (16 GiB). */
    public static final String DEFAULT_SOURCE_VM = "kiln-source-template";

    private final VcenterConfig config;
    private final Inventory inventory;
    private final Sessions sessions;
    private final Provisioning provisioning;
    private final VimObjects objects;
    private final PropertyCollector collector;
    private final VcenterTls selfSigned;

    private VcenterEmulator(VcenterConfig config) {
        super(PROVIDER, "vCenter", config.common(), LimitSettings.none());
        this.config = config;
        this.inventory = new Inventory(config);
        this.sessions = new Sessions(config.time(), config.sessionLimit(), config.sessionIdleTimeout().toNanos(),
                config.seed());
        this.provisioning = new Provisioning(config.hostMaxCost(), config.datastoreMaxCost());
        this.objects = new VimObjects(inventory);
        this.collector = new PropertyCollector(inventory, objects);
        SSLContext testCa = config.tls() == null ? testCaServerContext() : null;
        this.selfSigned = config.tls() == null && testCa == null
                ? VcenterTls.selfSigned(config.name(), config.time().now()) : null;
        EmulatorServer.Handler rest = pipeline(new VcenterProtocol(config, inventory, sessions,
                new Clones(inventory, provisioning, counters), this::firstUnknown));
        VimFiles files = new VimFiles(objects, sessions);
        EmulatorServer.Handler sdk = pipeline(new VimProtocol(config, sessions, objects, collector,
                new VimVms(objects, provisioning, counters), files, this::firstUnknown));
        listen(Mounts.builder()
                // vCenter 6.7 has no /api: its web server answers 404 there.
                .when(request -> config.legacyOnly() && VcenterProtocol.isApi(request.path()), request ->
                        Response.of(404, "text/html", "<html><body><h1>404 Not Found</h1></body></html>"))
                .when(VcenterProtocol::accepts, rest)
                .when(request -> request.path().equals("/sdk/vimServiceVersions.xml"),
                        request -> VimProtocol.serviceVersions())
                .when(VimProtocol::accepts, sdk)
                .when(VimFiles::accepts, request -> {
                    Response r = files.folder(request);
                    record(config.name(), null, request.method() + " /folder", r.status(), r.status() < 300 ? null
                            : Integer.toString(r.status()), r.status() < 300 ? Outcome.OK : Outcome.ERROR);
                    return r;
                })
                .otherwise(request -> Response.of(404, "text/plain", "the vCenter emulator answers the Automation"
                        + " REST API under /api and /rest, the vim25 SOAP API at /sdk and datastore files under"
                        + " /folder")),
                config.threads(), config.tls() != null ? config.tls()
                        : testCa != null ? testCa : selfSigned.serverContext());
    }

    /** A builder with every default: loopback, a free port, system time, the default inventory. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts an emulator with every default. */
    public static VcenterEmulator start() {
        return builder().start();
    }

    /** Starts an emulator with the launcher's settings and every other default. */
    public static VcenterEmulator start(EmulatorSettings settings) {
        return builder().settings(settings).start();
    }

    /** The vCenter's name: the account of its calls in the journal and of its tagged resources. */
    public String name() {
        return config.name();
    }

    /**
     * The VMs and content library items with the tag {@code value} of the category {@code key},
     * e.g. {@code resourcesTagged("kiln-build-id", "b-1")}; the tags map holds every tag of each.
     */
    @Override
    protected List<TaggedResource> tagged(String key, String value) {
        return inventory.resourcesTagged(key, value);
    }

    /** Every VM, templates included, with its host, datastore, folder, power state and tags. */
    public List<VmSummary> vms() {
        return inventory.vms();
    }

    /** The names of every content library item. */
    public List<String> libraryItemNames() {
        return inventory.libraryItemNames();
    }

    /** Every content library item, with its library, type, description and tags. */
    public List<LibraryItemSummary> libraryItems() {
        return inventory.libraryItems();
    }

    /** What a datastore has free now, in GiB. */
    public long freeGb(String datastore) {
        return inventory.freeGb(datastore);
    }

    /** Provisioning cost per host and datastore: limits, highest concurrent cost seen, operations queued. */
    public List<ProvisioningStats> provisioning() {
        return provisioning.stats();
    }

    /** The highest provisioning cost {@code host} ever had in flight at once; 0 if it never had any. */
    public long maxConcurrentHostCost(String host) {
        return maxSeen("host", host);
    }

    /** The highest provisioning cost {@code datastore} ever had in flight at once; 0 if it never had any. */
    public long maxConcurrentDatastoreCost(String datastore) {
        return maxSeen("datastore", datastore);
    }

    private long maxSeen(String kind, String name) {
        return provisioning.stats().stream().filter(s -> s.kind().equals(kind) && s.name().equals(name))
                .mapToLong(ProvisioningStats::maxConcurrentCostSeen).findFirst().orElse(0);
    }

    /** Sessions open now (idle ones past the timeout are gone). */
    public int openSessions() {
        return sessions.open();
    }

    /** Requests the emulator has no operation for ({@code METHOD path}), since start or reset. */
    public Set<String> unknownOperations() {
        return unknownRequests();
    }

    /** Its name, which a certificate from the settings' test CA names besides the loopback ones. */
    @Override
    protected java.util.Collection<String> hostNames() {
        return List.of(config.name());
    }

    /**
     * The certificate to trust: the one it made, or its test CA's when its settings carry one
     * ({@link #tls()}); null when given a TLS context of its own. Trust it, or skip the check as
     * packer's {@code insecure_connection} does.
     */
    public X509Certificate certificate() {
        return selfSigned != null ? selfSigned.certificate() : tls().map(t -> t.ca().certificate()).orElse(null);
    }

    /** {@link #certificate()}, PEM-encoded; null when given a TLS context. */
    public String certificatePem() {
        return selfSigned != null ? selfSigned.pem() : tls().map(t -> t.ca().pem()).orElse(null);
    }

    /**
     * A client TLS context that trusts the certificate it made and nothing else (host names still
     * checked: connect to 127.0.0.1, localhost or its name).
     *
     * @throws IllegalStateException when it was given a TLS context of its own
     */
    public SSLContext clientTls() {
        if (selfSigned != null) {
            return selfSigned.clientContext();
        }
        return tls().map(t -> t.ca().clientContext()).orElseThrow(() -> new IllegalStateException(
                "this vCenter emulator serves the TLS context it was given; trust that"));
    }

    /** Writes a PKCS12 trust store holding the certificate it made, as a {@code trust_store} for Kiln's provider. */
    public void writeTrustStore(Path file, char[] password) throws IOException {
        if (selfSigned == null) {
            throw new IllegalStateException("this vCenter emulator serves the TLS context it was given; trust that");
        }
        selfSigned.writeTrustStore(file, password);
    }

    /** Back to the inventory it started with: no sessions, no faults, zero counters and provisioning records. */
    @Override
    public void reset() {
        collector.reset();
        objects.views.clear();
        inventory.reset();
        sessions.reset();
        provisioning.reset();
        resetRecords();
    }

    /** Builds a {@link VcenterEmulator}; {@link #start()} copies the settings, so a builder can start several. */
    public static final class Builder extends EmulatorBuilder<Builder, VcenterEmulator> {
        private String name = "vcenter.kiln.test";
        private String datacenter = DEFAULT_DATACENTER;
        private final Map<String, String> users = new LinkedHashMap<>();
        private final List<String> hosts = new ArrayList<>();
        private final List<String> networks = new ArrayList<>();
        private final Map<String, String> clusterOf = new LinkedHashMap<>();
        private final List<DatastoreSpec> datastores = new ArrayList<>();
        private final List<String> folders = new ArrayList<>();
        private final List<LibrarySpec> libraries = new ArrayList<>();
        private final List<VmSpec> vms = new ArrayList<>();
        private boolean noLibraries;
        private boolean noVms;
        private long hostMaxCost = ProviderDefaults.VCENTER_HOST_MAX_COST;
        private long datastoreMaxCost = ProviderDefaults.VCENTER_DATASTORE_MAX_COST;
        private long cloneCost = ProviderDefaults.VCENTER_CLONE_COST;
        private Duration cloneTime = Duration.ofSeconds(2);
        private Duration templateTime = Duration.ofSeconds(1);
        private Duration bootTime = Duration.ofSeconds(1);
        private Duration shutdownTime = Duration.ofSeconds(1);
        private Duration installTime = Duration.ofSeconds(3);
        private int sessionLimit = 2000;
        private Duration sessionIdleTimeout = Duration.ofMinutes(30);
        private boolean legacyOnly;
        private SSLContext tls;
        private int threads = 64;

        private Builder() {
        }

        /** The vCenter's name, as the journal and tagged resources give it; default {@code vcenter.kiln.test}. */
        public Builder name(String vcenterName) {
            this.name = requireText(vcenterName, "vCenter name");
            return this;
        }

        /** The datacenter's name; default {@value #DEFAULT_DATACENTER}. */
        public Builder datacenter(String datacenterName) {
            this.datacenter = requireText(datacenterName, "datacenter name");
            return this;
        }

        /** Networks (standard port groups on every host), replacing {@link #DEFAULT_NETWORK}. */
        public Builder networks(String... names) {
            for (String n : names) {
                networks.add(requireText(n, "network name"));
            }
            return this;
        }

        /** A user basic authentication accepts; default only {@link #DEFAULT_USER} with {@link #DEFAULT_PASSWORD}. */
        public Builder user(String user, String password) {
            users.put(requireText(user, "user"), Objects.requireNonNull(password, "password"));
            return this;
        }

        /** ESXi hosts outside any cluster (replacing {@link #DEFAULT_HOSTS}). */
        public Builder esxiHosts(String... names) {
            for (String n : names) {
                addHost(n);
            }
            return this;
        }

        /** A cluster of the given hosts (replacing {@link #DEFAULT_HOSTS}). */
        public Builder cluster(String clusterName, String... hostNames) {
            requireText(clusterName, "cluster name");
            for (String n : hostNames) {
                addHost(n);
                clusterOf.put(n, clusterName);
            }
            return this;
        }

        private void addHost(String hostName) {
            requireText(hostName, "host name");
            if (!hosts.contains(hostName)) {
                hosts.add(hostName);
            }
        }

        /** A datastore of {@code capacityGb} GiB, empty (replacing {@link #DEFAULT_DATASTORE}). */
        public Builder datastore(String datastoreName, long capacityGb) {
            return datastore(datastoreName, capacityGb, 0);
        }

        /** A datastore of {@code capacityGb} GiB of which {@code usedGb} are taken by things outside the emulator. */
        public Builder datastore(String datastoreName, long capacityGb, long usedGb) {
            if (capacityGb <= 0 || usedGb < 0 || usedGb > capacityGb) {
                throw new IllegalArgumentException("a datastore needs capacity > 0 and 0 <= used <= capacity, got "
                        + capacityGb + " GiB with " + usedGb + " GiB used");
            }
            datastores.add(new DatastoreSpec(requireText(datastoreName, "datastore name"), capacityGb, usedGb));
            return this;
        }

        /** A VM folder (besides the root {@code vm}; replacing {@link #DEFAULT_FOLDER}). */
        public Builder folder(String folderName) {
            folders.add(requireText(folderName, "folder name"));
            return this;
        }

        /** A local content library stored on {@code datastore} (replacing {@link #DEFAULT_LIBRARY}). */
        public Builder library(String libraryName, String datastore) {
            libraries.add(new LibrarySpec(requireText(libraryName, "library name"), requireText(datastore,
                    "datastore")));
            return this;
        }

        /** No content library at all. */
        public Builder noLibraries() {
            this.noLibraries = true;
            libraries.clear();
            return this;
        }

        /** A powered-off VM (e.g. one to clone from), replacing {@link #DEFAULT_SOURCE_VM}; folder may be null for the root. */
        public Builder vm(String vmName, String host, String datastore, String folder, long diskGb) {
            if (diskGb <= 0) {
                throw new IllegalArgumentException("a VM's disk must be at least 1 GiB, got " + diskGb);
            }
            vms.add(new VmSpec(requireText(vmName, "VM name"), requireText(host, "host"),
                    requireText(datastore, "datastore"), folder, diskGb));
            return this;
        }

        /** No VM at all to begin with. */
        public Builder noVms() {
            this.noVms = true;
            vms.clear();
            return this;
        }

        /** Maximum provisioning cost per host; default 8, vCenter's. */
        public Builder hostMaxCost(long cost) {
            this.hostMaxCost = positive(cost, "host max cost");
            return this;
        }

        /** Maximum provisioning cost per datastore; default 128, vCenter's. */
        public Builder datastoreMaxCost(long cost) {
            this.datastoreMaxCost = positive(cost, "datastore max cost");
            return this;
        }

        /** What one clone or template export costs on its host and datastore; default 1. */
        public Builder cloneCost(long cost) {
            this.cloneCost = positive(cost, "clone cost");
            return this;
        }

        /** How long a clone runs once it has its slot; default 2 s. */
        public Builder cloneTime(Duration duration) {
            this.cloneTime = nonNegative(duration, "clone time");
            return this;
        }

        /** How long exporting a VM as a content library VM template runs once it has its slot; default 1 s. */
        public Builder templateTime(Duration duration) {
            this.templateTime = nonNegative(duration, "template time");
            return this;
        }

        /** How long after power-on VMware Tools runs and the guest has an address; default 1 s. */
        public Builder bootTime(Duration duration) {
            this.bootTime = nonNegative(duration, "boot time");
            return this;
        }

        /** How long a guest shutdown takes to power the VM off; default 1 s. */
        public Builder shutdownTime(Duration duration) {
            this.shutdownTime = nonNegative(duration, "shutdown time");
            return this;
        }

        /**
         * How long a VM made by CreateVM_Task (vsphere-iso), once powered on, installs its guest OS
         * before it powers itself off; default 3 s.
         */
        public Builder installTime(Duration duration) {
            this.installTime = nonNegative(duration, "install time");
            return this;
        }

        /** Sessions open at once, over both APIs, before logins are refused; default 2,000. */
        public Builder sessionLimit(int sessions) {
            if (sessions < 1) {
                throw new IllegalArgumentException("session limit must be at least 1, got " + sessions);
            }
            this.sessionLimit = sessions;
            return this;
        }

        /** How long an unused session lives; default 30 minutes, vCenter's. */
        public Builder sessionIdleTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("session idle timeout must be positive, got " + timeout);
            }
            this.sessionIdleTimeout = timeout;
            return this;
        }

        /** True: answer only the legacy /rest form and 404 on /api, like vCenter 6.7. Default false. */
        public Builder legacyOnly(boolean legacy) {
            this.legacyOnly = legacy;
            return this;
        }

        /** Serve HTTPS with this context (its key manager holds the server certificate) instead of a certificate of its own. */
        public Builder tls(SSLContext context) {
            this.tls = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * Threads answering requests; default 64. A clone holds its thread while it runs or waits for
         * a slot, as the REST call blocks until the clone is done.
         */
        public Builder threads(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + count);
            }
            this.threads = count;
            return this;
        }

        /** Binds the port and starts answering. */
        @Override
        public VcenterEmulator start() {
            Map<String, String> u = users.isEmpty() ? Map.of(DEFAULT_USER, DEFAULT_PASSWORD) : Map.copyOf(users);
            List<String> h = hosts.isEmpty() ? DEFAULT_HOSTS : hosts;
            Map<String, String> clusters = new LinkedHashMap<>(clusterOf);
            List<String> nets = networks.isEmpty() ? List.of(DEFAULT_NETWORK) : List.copyOf(networks);
            List<DatastoreSpec> ds = datastores.isEmpty() ? List.of(new DatastoreSpec(DEFAULT_DATASTORE, 4096, 0))
                    : List.copyOf(datastores);
            List<String> f = folders.isEmpty() ? List.of(DEFAULT_FOLDER) : List.copyOf(folders);
            List<LibrarySpec> libs = noLibraries ? List.of() : libraries.isEmpty()
                    ? List.of(new LibrarySpec(DEFAULT_LIBRARY, ds.get(0).name())) : List.copyOf(libraries);
            List<VmSpec> v = noVms ? List.of() : vms.isEmpty()
                    ? List.of(new VmSpec(DEFAULT_SOURCE_VM, h.get(0), ds.get(0).name(), null, 16)) : List.copyOf(vms);
            checkReferences(h, ds, f, libs, v);
            return new VcenterEmulator(new VcenterConfig(common(), name, u, datacenter,
                    h.stream().map(HostSpec::new).toList(), Map.copyOf(clusters), nets, ds, f, libs, v, hostMaxCost,
                    datastoreMaxCost, cloneCost, cloneTime, templateTime, bootTime, shutdownTime, installTime,
                    sessionLimit, sessionIdleTimeout, legacyOnly, tls, threads));
        }

        private static void checkReferences(List<String> hostNames, List<DatastoreSpec> ds, List<String> f,
                List<LibrarySpec> libs, List<VmSpec> v) {
            List<String> dsNames = ds.stream().map(DatastoreSpec::name).toList();
            for (LibrarySpec l : libs) {
                if (!dsNames.contains(l.datastore())) {
                    throw new IllegalArgumentException("library '" + l.name() + "' is on datastore '" + l.datastore()
                            + "', which is not one of " + dsNames);
                }
            }
            for (VmSpec vm : v) {
                if (!hostNames.contains(vm.host()) || !dsNames.contains(vm.datastore())
                        || (vm.folder() != null && !f.contains(vm.folder()))) {
                    throw new IllegalArgumentException("VM '" + vm.name() + "' names host '" + vm.host()
                            + "', datastore '" + vm.datastore() + "' and folder '" + vm.folder()
                            + "'; known hosts " + hostNames + ", datastores " + dsNames + ", folders " + f);
                }
            }
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

        private static Duration nonNegative(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " cannot be negative, got " + d);
            }
            return d;
        }
    }
}
