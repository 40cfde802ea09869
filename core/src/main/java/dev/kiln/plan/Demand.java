package dev.kiln.plan;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one running build holds of a target's quotas, by metric: vCPUs, instances, disk, public
 * addresses, images, and any provider-specific metric (e.g. Azure's {@code standardDSv3Family}
 * or GCE's {@code N2_CPUS}). Metric names match those a provider's quota probe reports.
 */
public final class Demand {

    public static final String VCPUS = "vcpus";
    public static final String INSTANCES = "instances";
    public static final String DISK_GB = "disk_gb";
    public static final String ADDRESSES = "addresses";
    public static final String IMAGES = "images";

    public static final Demand NONE = new Demand(Map.of());

    private final Map<String, Long> amounts;

    private Demand(Map<String, Long> amounts) {
        this.amounts = Collections.unmodifiableMap(new TreeMap<>(amounts));
    }

    /** The usual shape of one packer build: one instance, its vCPUs, its disk, one image. */
    public static Demand of(long vcpus, long instances, long diskGb, long addresses) {
        return NONE.with(VCPUS, vcpus).with(INSTANCES, instances).with(DISK_GB, diskGb)
                .with(ADDRESSES, addresses);
    }

    public static Demand of(Map<String, Long> amounts) {
        Demand d = NONE;
        for (var e : amounts.entrySet()) {
            d = d.with(e.getKey(), e.getValue());
        }
        return d;
    }

    /** A copy with {@code metric} set to {@code amount}; zero removes it. */
    public Demand with(String metric, long amount) {
        if (amount < 0) {
            throw new IllegalArgumentException("demand for " + metric + " cannot be negative: " + amount);
        }
        TreeMap<String, Long> copy = new TreeMap<>(amounts);
        if (amount == 0) {
            copy.remove(metric);
        } else {
            copy.put(metric, amount);
        }
        return new Demand(copy);
    }

    public long get(String metric) {
        return amounts.getOrDefault(metric, 0L);
    }

    /** Metric to amount, sorted by metric name; unmodifiable. */
    public Map<String, Long> amounts() {
        return amounts;
    }

    public boolean isEmpty() {
        return amounts.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Demand d && d.amounts.equals(amounts);
    }

    @Override
    public int hashCode() {
        return amounts.hashCode();
    }

    @Override
    public String toString() {
        return amounts.toString();
    }
}
