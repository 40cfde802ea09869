package dev.kiln.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that runs headless Chromium. Where chromium is missing the test is skipped, saying
 * so; with {@code -Dkiln.requireTools=true} (as CI and {@code bin/test} run) it fails instead.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresChromiumCondition.class)
public @interface RequiresChromium {
}
