package dev.kiln.emulators.spi;

import dev.kiln.emulators.Emulator;
import dev.kiln.emulators.EmulatorSettings;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The settings of an emulator of a provider with API rate limits and resources that take time:
 * its limits table (the same {@link LimitsTable} Kiln plans with), limits reshaped one by one,
 * throttling on or off, and how long its transitional states last.
 *
 * @param <B> the emulator's own builder
 * @param <E> the emulator
 * @param <D> its delays
 */
public abstract class RateLimitedEmulatorBuilder<B extends RateLimitedEmulatorBuilder<B, E, D>, E extends Emulator, D>
        extends EmulatorBuilder<B, E> {

    private final String title;
    private final Class<? extends LimitSpec> limitKind;
    private LimitsTable limits;
    private final Map<String, LimitSpec> limitOverrides = new LinkedHashMap<>();
    private boolean throttling = true;
    /** How long transitional states last. */
    protected D delays;

    /**
     * @param title     what people call the API, for errors, e.g. {@code EC2}
     * @param limits    the provider's documented limits, e.g. {@code ProviderDefaults.aws()}
     * @param limitKind the shape of limit the provider has ({@link LimitSpec.TokenBucket} for EC2 and
     *                  ARM), or {@link LimitSpec} for any
     * @param delays    the emulator's default delays
     */
    protected RateLimitedEmulatorBuilder(String title, LimitsTable limits, Class<? extends LimitSpec> limitKind,
            D delays) {
        this.title = Objects.requireNonNull(title, "title");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.limitKind = Objects.requireNonNull(limitKind, "limit kind");
        this.delays = Objects.requireNonNull(delays, "delays");
    }

    /** The limits and what each api class charges; default the provider's documented ones. */
    public B limits(LimitsTable table) {
        this.limits = Objects.requireNonNull(table, "limits");
        return self();
    }

    /** Reshapes one limit, e.g. {@code limit("RunInstances", LimitSpec.tokenBucket(2, 0.5))}. */
    public B limit(String name, LimitSpec spec) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spec, "spec");
        if (!limitKind.isInstance(spec)) {
            throw new IllegalArgumentException("the " + title + " emulator's limits are "
                    + limitKind.getSimpleName() + "s; got " + spec + " for '" + name + "'");
        }
        limitOverrides.put(name, spec);
        return self();
    }

    /** False turns every limit off; quotas still apply. Default true. */
    public B throttling(boolean enabled) {
        this.throttling = enabled;
        return self();
    }

    /** How long transitional states last; default the emulator's scaled-down defaults. */
    public B delays(D newDelays) {
        this.delays = Objects.requireNonNull(newDelays, "delays");
        return self();
    }

    /** The launcher's settings, its reshaped limits and throttling included. */
    @Override
    public B settings(EmulatorSettings settings) {
        settings.limits().forEach(this::limit);
        return throttling(settings.throttling()).common(settings);
    }

    /** The limits as set: the table with every reshaped limit, and whether they are on. */
    protected final LimitSettings limitSettings() {
        return new LimitSettings(limitOverrides.isEmpty() ? limits : limits.withOverrides(limitOverrides), throttling);
    }
}
