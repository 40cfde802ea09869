package dev.kiln.emulators.aws;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The instance types the emulator knows: vCPUs, cores, memory, architecture, as EC2 publishes them. */
final class InstanceTypes {

    record Type(String name, int vcpus, int cores, int threadsPerCore, long memoryMib, String manufacturer,
            boolean burstable) {

        /** The quota family: every type here is in the "standard" on-demand bucket (A, C, D, H, I, M, R, T, Z). */
        boolean standard() {
            return "acdhimrtz".indexOf(name.charAt(0)) >= 0;
        }
    }

    private static final Map<String, Type> TYPES;

    static {
        Map<String, Type> t = new LinkedHashMap<>();
        // T2: one thread per core.
        String[] tSizes = {"nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"};
        int[] t2Vcpus = {1, 1, 1, 2, 2, 4, 8};
        long[] tMemory = {512, 1024, 2048, 4096, 8192, 16384, 32768};
        for (int i = 0; i < tSizes.length; i++) {
            add(t, new Type("t2." + tSizes[i], t2Vcpus[i], t2Vcpus[i], 1, tMemory[i], "Intel", true));
        }
        // T3 / T3a: two threads per core, two vCPUs up to large.
        int[] t3Vcpus = {2, 2, 2, 2, 2, 4, 8};
        for (int i = 0; i < tSizes.length; i++) {
            add(t, new Type("t3." + tSizes[i], t3Vcpus[i], t3Vcpus[i] / 2, 2, tMemory[i], "Intel", true));
            add(t, new Type("t3a." + tSizes[i], t3Vcpus[i], t3Vcpus[i] / 2, 2, tMemory[i], "AMD", true));
        }
        String[] sizes = {"large", "xlarge", "2xlarge", "4xlarge", "8xlarge"};
        int[] vcpus = {2, 4, 8, 16, 32};
        Map<String, Long> memoryPerVcpu = Map.of("m5", 4096L, "m6i", 4096L, "c5", 2048L, "c6i", 2048L, "r5", 8192L);
        for (String family : new String[] {"m5", "m6i", "c5", "c6i", "r5"}) {
            for (int i = 0; i < sizes.length; i++) {
                long memory = vcpus[i] * memoryPerVcpu.get(family);
                if (family.equals("c5") && sizes[i].equals("8xlarge")) {
                    continue; // c5 jumps from 4xlarge to 9xlarge
                }
                add(t, new Type(family + "." + sizes[i], vcpus[i], vcpus[i] / 2, 2, memory, "Intel", false));
            }
        }
        TYPES = Collections.unmodifiableMap(t);
    }

    private InstanceTypes() {
    }

    private static void add(Map<String, Type> t, Type type) {
        t.put(type.name(), type);
    }

    static Type get(String name) {
        return TYPES.get(name);
    }

    static Map<String, Type> all() {
        return TYPES;
    }
}
