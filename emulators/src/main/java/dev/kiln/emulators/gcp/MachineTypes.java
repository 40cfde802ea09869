package dev.kiln.emulators.gcp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The machine types every zone offers: vCPUs, memory, and the family quota metric their vCPUs also count against. */
final class MachineTypes {

    record Type(String name, int guestCpus, int memoryMb, boolean sharedCpu, String familyMetric) {
    }

    private static final Map<String, Type> TYPES;

    static {
        Map<String, Type> m = new LinkedHashMap<>();
        add(m, new Type("f1-micro", 1, 614, true, null));
        add(m, new Type("g1-small", 1, 1740, true, null));
        add(m, new Type("e2-micro", 2, 1024, true, "E2_CPUS"));
        add(m, new Type("e2-small", 2, 2048, true, "E2_CPUS"));
        add(m, new Type("e2-medium", 2, 4096, true, "E2_CPUS"));
        family(m, "n1", null, new int[] {1, 2, 4, 8, 16, 32, 64, 96}, 3840, 6656, 922);
        family(m, "n2", "N2_CPUS", new int[] {2, 4, 8, 16, 32, 48, 64, 80, 96, 128}, 4096, 8192, 1024);
        family(m, "n2d", "N2D_CPUS", new int[] {2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224}, 4096, 8192, 1024);
        family(m, "e2", "E2_CPUS", new int[] {2, 4, 8, 16, 32}, 4096, 8192, 1024);
        for (int cpus : new int[] {4, 8, 16, 30, 60}) {
            add(m, new Type("c2-standard-" + cpus, cpus, cpus * 4096, false, "C2_CPUS"));
        }
        TYPES = Collections.unmodifiableMap(m);
    }

    private MachineTypes() {
    }

    private static void family(Map<String, Type> m, String family, String metric, int[] sizes, int standardMb,
            int highmemMb, int highcpuMb) {
        for (int cpus : sizes) {
            add(m, new Type(family + "-standard-" + cpus, cpus, cpus * standardMb, false, metric));
            if (cpus >= 2) {
                add(m, new Type(family + "-highmem-" + cpus, cpus, cpus * highmemMb, false, metric));
                add(m, new Type(family + "-highcpu-" + cpus, cpus, cpus * highcpuMb, false, metric));
            }
        }
    }

    private static void add(Map<String, Type> m, Type t) {
        m.put(t.name(), t);
    }

    static Optional<Type> named(String name) {
        return Optional.ofNullable(TYPES.get(name));
    }

    static Iterable<Type> all() {
        return TYPES.values();
    }
}
