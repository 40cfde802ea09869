package dev.kiln.limits;

import dev.kiln.plan.Target;

/** Whether a limit or quota is counted per region or across a whole account/project. */
public enum Scope {
    /** Per account and region (EC2 buckets, ARM buckets, GCE regional quotas). */
    REGION,
    /** Per account, whatever the region (GCE global writes and IMAGES, vCenter datastores). */
    ACCOUNT;

    /** The key this scope gives {@code target}: {@code provider/account/region} or {@code provider/account}. */
    public String keyOf(Target target) {
        return this == REGION ? target.key() : target.accountKey();
    }
}
