package dev.kiln.plan;

import java.util.Objects;

/**
 * Identifies one build of a plan: {@code image/provider/account/region/env}. Stable across
 * retries and across runs of the same plan, so it can key journals and leases.
 */
public record JobId(String value) implements Comparable<JobId> {

    public JobId {
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("a job id cannot be blank");
        }
    }

    public static JobId of(String image, Target target, String environment) {
        return new JobId(image + "/" + target.key() + "/" + environment);
    }

    @Override
    public int compareTo(JobId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
