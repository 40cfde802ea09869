package dev.kiln.emulators.azure;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The VM sizes the emulator knows: vCPUs, memory and the quota family Compute counts them under
 * (the {@code name.value} of a usage, e.g. {@code standardDSv3Family}).
 */
final class VmSizes {

    /** One size. */
    record Size(String name, int cores, int memoryMb, String family) {
    }

    private static final Map<String, Size> SIZES;

    static {
        Map<String, Size> m = new LinkedHashMap<>();
        add(m, "Standard_B1s", 1, 1024, "standardBSFamily");
        add(m, "Standard_B2s", 2, 4096, "standardBSFamily");
        add(m, "Standard_B4ms", 4, 16384, "standardBSFamily");
        add(m, "Standard_DS1_v2", 1, 3584, "standardDSv2Family");
        add(m, "Standard_DS2_v2", 2, 7168, "standardDSv2Family");
        add(m, "Standard_DS3_v2", 4, 14336, "standardDSv2Family");
        add(m, "Standard_D2_v3", 2, 8192, "standardDv3Family");
        add(m, "Standard_D4_v3", 4, 16384, "standardDv3Family");
        add(m, "Standard_D2s_v3", 2, 8192, "standardDSv3Family");
        add(m, "Standard_D4s_v3", 4, 16384, "standardDSv3Family");
        add(m, "Standard_D8s_v3", 8, 32768, "standardDSv3Family");
        add(m, "Standard_D16s_v3", 16, 65536, "standardDSv3Family");
        add(m, "Standard_D2s_v5", 2, 8192, "standardDSv5Family");
        add(m, "Standard_D4s_v5", 4, 16384, "standardDSv5Family");
        add(m, "Standard_D2ds_v5", 2, 8192, "standardDDSv5Family");
        add(m, "Standard_D2as_v4", 2, 8192, "standardDASv4Family");
        add(m, "Standard_E2s_v3", 2, 16384, "standardESv3Family");
        add(m, "Standard_E4s_v3", 4, 32768, "standardESv3Family");
        add(m, "Standard_F2s_v2", 2, 4096, "standardFSv2Family");
        add(m, "Standard_F4s_v2", 4, 8192, "standardFSv2Family");
        SIZES = Collections.unmodifiableMap(m);
    }

    private VmSizes() {
    }

    private static void add(Map<String, Size> m, String name, int cores, int memoryMb, String family) {
        m.put(name.toLowerCase(Locale.ROOT), new Size(name, cores, memoryMb, family));
    }

    static Optional<Size> of(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(SIZES.get(name.toLowerCase(Locale.ROOT)));
    }

    static Iterable<Size> all() {
        return SIZES.values();
    }

    /** The quota families, in table order, without repeats. */
    static Iterable<String> families() {
        return SIZES.values().stream().map(Size::family).distinct().toList();
    }

    /** "standardDSv3Family" reads "Standard DSv3 Family vCPUs" in the portal. */
    static String localizedFamily(String family) {
        String core = family.substring("standard".length(), family.length() - "Family".length());
        return "Standard " + core + " Family vCPUs";
    }
}
