package dev.kiln.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that runs the real {@code packer}. Where packer is missing the test is skipped,
 * saying so; with {@code -Dkiln.requireTools=true} (as CI runs) it fails instead, so a CI machine
 * without packer cannot pass by skipping.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresPackerCondition.class)
public @interface RequiresPacker {
}
