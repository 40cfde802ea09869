package dev.kiln.gcp.internal;

import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a machine type's name tells without asking the API: its vCPUs for the predefined and custom
 * shapes, and the family quota metric its vCPUs also count against ({@code n2-standard-4} holds 4
 * of {@code CPUS} and 4 of {@code N2_CPUS}; N1 and the shared-core f1/g1 have no family metric).
 */
public final class Shapes {

    private static final Pattern PREDEFINED = Pattern.compile(
            "([a-z][a-z0-9]*)-(standard|highmem|highcpu|highgpu|megagpu|ultragpu|megamem|ultramem|hypermem|"
                    + "highmem|standardlssd|highlssd|edgegpu)-(\\d+)(?:-.*)?");
    private static final Pattern CUSTOM = Pattern.compile("(?:([a-z][a-z0-9]*)-)?custom-(\\d+)-\\d+(?:-ext)?");

    private Shapes() {
    }

    /** vCPUs of a machine type, when its name says. */
    public static OptionalInt vcpus(String machineType) {
        if (machineType == null) {
            return OptionalInt.empty();
        }
        switch (machineType) {
            case "f1-micro", "g1-small" -> {
                return OptionalInt.of(1);
            }
            case "e2-micro", "e2-small", "e2-medium" -> {
                return OptionalInt.of(2);
            }
            default -> {
            }
        }
        Matcher m = PREDEFINED.matcher(machineType);
        if (m.matches()) {
            return OptionalInt.of(Integer.parseInt(m.group(3)));
        }
        m = CUSTOM.matcher(machineType);
        if (m.matches()) {
            return OptionalInt.of(Integer.parseInt(m.group(2)));
        }
        return OptionalInt.empty();
    }

    /** The family quota metric a machine type's vCPUs count against, e.g. {@code N2_CPUS}; null for N1, f1, g1. */
    public static String familyMetric(String machineType) {
        if (machineType == null) {
            return null;
        }
        int dash = machineType.indexOf('-');
        String family = dash < 0 ? machineType : machineType.substring(0, dash);
        if (family.equals("n1") || family.equals("f1") || family.equals("g1") || family.equals("custom")) {
            return null;
        }
        return family.toUpperCase(Locale.ROOT) + "_CPUS";
    }
}
