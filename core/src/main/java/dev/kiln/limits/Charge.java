package dev.kiln.limits;

/**
 * What one API call costs against one limit: EC2's RunInstances charges one token from its request
 * bucket and one per instance from its resource bucket; an ARM PUT of a VM charges the
 * subscription's write bucket and Compute's PutVM policy.
 *
 * @param limit  name of the limit charged
 * @param tokens tokens charged per call
 */
public record Charge(String limit, double tokens) {
    public Charge {
        if (!(tokens > 0)) {
            throw new IllegalArgumentException("a charge must be positive, got " + tokens + " for " + limit);
        }
    }
}
