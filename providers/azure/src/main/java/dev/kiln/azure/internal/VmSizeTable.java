package dev.kiln.azure.internal;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a VM size name tells without asking Azure: its quota family, and its vCPUs for the common
 * series. The family is what Compute's usages call it, e.g. {@code Standard_D2s_v3} ->
 * {@code standardDSv3Family}, {@code Standard_DS2_v2} -> {@code standardDSv2Family},
 * {@code Standard_B2s} -> {@code standardBSFamily}.
 */
public final class VmSizeTable {

    private static final Pattern SIZE = Pattern.compile(
            "standard_([a-z]+)(\\d+)(?:-\\d+)?([a-z]*)(?:_v(\\d+))?", Pattern.CASE_INSENSITIVE);
    private static final Map<String, Integer> LEGACY_D = Map.of("1", 1, "2", 2, "3", 4, "4", 8, "5", 16, "11", 2,
            "12", 4, "13", 8, "14", 16);

    private VmSizeTable() {
    }

    /** The quota family of {@code size}, or empty when the name is not a Standard_ size. */
    public static Optional<String> family(String size) {
        Matcher m = SIZE.matcher(size == null ? "" : size.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        String series = m.group(1).toUpperCase(Locale.ROOT);
        String extras = m.group(3).toUpperCase(Locale.ROOT).replace("M", "").replace("T", "");
        String version = m.group(4) == null ? "" : "v" + m.group(4);
        return Optional.of("standard" + series + extras + version + "Family");
    }

    /** vCPUs of {@code size} by its name, for the series whose number is the vCPU count; empty otherwise. */
    public static Optional<Integer> vcpus(String size) {
        Matcher m = SIZE.matcher(size == null ? "" : size.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        String series = m.group(1).toLowerCase(Locale.ROOT);
        int version = m.group(4) == null ? 1 : Integer.parseInt(m.group(4));
        if ((series.equals("d") || series.equals("ds")) && version <= 2) {
            return Optional.ofNullable(LEGACY_D.get(m.group(2)));
        }
        if (series.equals("a") || series.equals("nc") || series.equals("nv")) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(m.group(2)));
    }
}
