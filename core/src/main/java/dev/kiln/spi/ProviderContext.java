package dev.kiln.spi;

import dev.kiln.plan.Target;
import dev.kiln.time.TimeSource;

/**
 * What Kiln hands a provider when it starts.
 *
 * <p>Stability: evolving SPI.
 */
public interface ProviderContext {

    /** The gate every API call for {@code target} goes through. */
    ApiGate gate(Target target);

    /** The run's time source; providers wait through it, never through {@code Thread.sleep}. */
    TimeSource time();
}
