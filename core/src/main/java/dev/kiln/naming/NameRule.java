package dev.kiln.naming;

import dev.kiln.plan.Target;
import java.util.Optional;

/**
 * A provider's rules for image names: what is valid, and within which scope a name must be
 * unique (an AMI name per account and region, a GCE image name per project, whatever the region).
 */
public interface NameRule {

    /** Empty when {@code name} is valid; otherwise what is wrong and what is allowed, in words. */
    Optional<String> check(String name);

    /**
     * The scope within which a name must be unique, e.g. {@code gcp/my-project} or
     * {@code aws/123456789012/us-east-1}. Two jobs with the same name in the same scope collide.
     */
    String uniquenessScope(Target target);

    /**
     * Makes a rendered name fit, where the provider's rules allow a faithful rewrite (GCE names
     * are lowercase: {@code Ubuntu_22} becomes {@code ubuntu-22}). Returns the name unchanged by
     * default; {@link #check(String)} runs on the result.
     */
    default String normalize(String name) {
        return name;
    }
}
