package dev.kiln.emulators.spi;

import dev.kiln.limits.LimitsTable;
import java.util.Objects;

/**
 * An emulator's rate limits, as a {@link RateLimitedEmulatorBuilder} produced them.
 *
 * @param table      the limits and what each api class charges
 * @param throttling false turns every limit off
 */
public record LimitSettings(LimitsTable table, boolean throttling) {

    public LimitSettings {
        Objects.requireNonNull(table, "table");
    }

    /** No limits: what an emulator of a provider without documented API rate limits has. */
    public static LimitSettings none() {
        return new LimitSettings(LimitsTable.none(), false);
    }
}
