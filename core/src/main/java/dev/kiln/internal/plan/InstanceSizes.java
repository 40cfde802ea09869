package dev.kiln.internal.plan;

import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * vCPUs of well-known instance sizes, for a build's demand when the plan does not say. A guess on
 * purpose: a provider module that knows better replaces the demand in preflight.
 */
final class InstanceSizes {

    private static final Pattern AWS = Pattern.compile("([a-z]+)(\\d{1,2})([a-z]*)\\.(nano|micro|small|medium|large|xlarge|(\\d{1,3})xlarge)");
    private static final Pattern AZURE = Pattern.compile("standard_([a-z]+?)(\\d{1,3})([a-z]*)(?:_v(\\d{1,2}))?");
    private static final Pattern GCP = Pattern.compile("(n1|n2|n2d|n4|e2|c2|c2d|c3|c3d|t2d|t2a)-(standard|highmem|highcpu)-(\\d{1,3})");

    private static final Map<String, Integer> AWS_BURSTABLE_T2 = Map.of("nano", 1, "micro", 1, "small", 1,
            "medium", 2, "large", 2, "xlarge", 4);
    private static final Map<String, Integer> AZURE_DV2 = Map.of("1", 1, "2", 2, "3", 4, "4", 8, "5", 16);
    private static final Map<String, Integer> GCP_SHARED = Map.of("e2-micro", 2, "e2-small", 2, "e2-medium", 2,
            "f1-micro", 1, "g1-small", 1);

    private InstanceSizes() {
    }

    static OptionalInt vcpus(String size) {
        if (size == null) {
            return OptionalInt.empty();
        }
        String s = size.strip().toLowerCase(Locale.ROOT);
        if (GCP_SHARED.containsKey(s)) {
            return OptionalInt.of(GCP_SHARED.get(s));
        }
        Matcher m = GCP.matcher(s);
        if (m.matches()) {
            return OptionalInt.of(Integer.parseInt(m.group(3)));
        }
        m = AWS.matcher(s);
        if (m.matches()) {
            return aws(m.group(1), m.group(2), m.group(4), m.group(5));
        }
        m = AZURE.matcher(s);
        if (m.matches()) {
            return azure(m.group(1), m.group(2), m.group(4));
        }
        return OptionalInt.empty();
    }

    private static OptionalInt aws(String family, String generation, String size, String times) {
        if (family.equals("t")) {
            if (generation.equals("2") && AWS_BURSTABLE_T2.containsKey(size)) {
                return OptionalInt.of(AWS_BURSTABLE_T2.get(size));
            }
            // t3, t3a, t4g: every size up to large has 2 vCPUs.
            return switch (size) {
                case "nano", "micro", "small", "medium", "large" -> OptionalInt.of(2);
                case "xlarge" -> OptionalInt.of(4);
                default -> times == null ? OptionalInt.empty() : OptionalInt.of(4 * Integer.parseInt(times));
            };
        }
        if (!family.equals("m") && !family.equals("c") && !family.equals("r")) {
            return OptionalInt.empty();
        }
        return switch (size) {
            case "medium" -> OptionalInt.of(1);
            case "large" -> OptionalInt.of(2);
            case "xlarge" -> OptionalInt.of(4);
            default -> times == null ? OptionalInt.empty() : OptionalInt.of(4 * Integer.parseInt(times));
        };
    }

    private static OptionalInt azure(String family, String number, String version) {
        int v = version == null ? 1 : Integer.parseInt(version);
        boolean legacyD = (family.equals("d") || family.equals("ds")) && v <= 2;
        if (legacyD) {
            Integer n = AZURE_DV2.get(number);
            return n == null ? OptionalInt.empty() : OptionalInt.of(n);
        }
        // B, F, and D/E from v3 on: the number is the vCPU count.
        if (family.equals("b") || family.equals("f") || family.equals("fs")
                || family.equals("d") || family.equals("ds") || family.equals("e") || family.equals("es")) {
            return OptionalInt.of(Integer.parseInt(number));
        }
        return OptionalInt.empty();
    }
}
