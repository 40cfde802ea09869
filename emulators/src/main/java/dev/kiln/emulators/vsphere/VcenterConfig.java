package dev.kiln.emulators.vsphere;

import dev.kiln.emulators.spi.CommonSettings;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/** The immutable settings a {@link VcenterEmulator.Builder} produced. */
record VcenterConfig(CommonSettings common, String name, Map<String, String> users, String datacenter,
        List<HostSpec> hosts, Map<String, String> clusterOf, List<String> networks, List<DatastoreSpec> datastores,
        List<String> folders, List<LibrarySpec> libraries, List<VmSpec> vms, long hostMaxCost, long datastoreMaxCost,
        long cloneCost, Duration cloneTime, Duration templateTime, Duration bootTime, Duration shutdownTime,
        Duration installTime, int sessionLimit, Duration sessionIdleTimeout, boolean legacyOnly, SSLContext tls,
        int threads) {

    TimeSource time() {
        return common.time();
    }

    long seed() {
        return common.seed();
    }

    record HostSpec(String name) {
    }

    record DatastoreSpec(String name, long capacityGb, long usedGb) {
    }

    record LibrarySpec(String name, String datastore) {
    }

    record VmSpec(String name, String host, String datastore, String folder, long diskGb) {
    }
}
