package dev.kiln.limits;

/**
 * What the quota ledger's estimate says about a demand: it fits now, it fits once running builds
 * release what they hold, or it can never fit.
 */
public sealed interface QuotaVerdict {

    /** Fits now. */
    record Fits() implements QuotaVerdict {
    }

    /**
     * Fits once others release: {@code metric} needs {@code needed} and {@code free} is left now.
     */
    record Later(String metric, long needed, long free) implements QuotaVerdict {
    }

    /**
     * Can never fit: {@code needed} of {@code metric} exceeds the {@code limit} minus what is used
     * outside Kiln ({@code usedOutside}).
     */
    record Never(String metric, long needed, long limit, long usedOutside) implements QuotaVerdict {
        /** The sentence preflight shows the user. */
        public String explain(String target) {
            return "needs " + needed + " " + metric + " but " + target + " allows " + limit
                    + (usedOutside > 0 ? " with " + usedOutside + " already in use outside this run" : "")
                    + "; raise the quota or shrink the build";
        }
    }
}
