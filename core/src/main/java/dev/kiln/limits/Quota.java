package dev.kiln.limits;

/**
 * One live quota as a provider reports it.
 *
 * @param metric e.g. {@code vcpus}, {@code images}, {@code standardDSv3Family}, {@code N2_CPUS}
 * @param scope  region or whole account/project
 * @param limit  the quota
 * @param usage  what is in use now, by anyone
 */
public record Quota(String metric, Scope scope, long limit, long usage) {
    public long headroom() {
        return Math.max(0, limit - usage);
    }
}
