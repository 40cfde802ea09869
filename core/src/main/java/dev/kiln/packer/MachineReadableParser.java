package dev.kiln.packer;

import dev.kiln.internal.packer.MachineReadable;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Turns {@code packer build -machine-readable} lines into {@link PackerEvent}s, for tools that run
 * packer themselves. Stateful (an artifact spans several lines) and not thread-safe: one parser per
 * packer process.
 */
public final class MachineReadableParser {

    private final MachineReadable.Parser parser;

    /** @param clock stamps lines that carry no time of their own (packer's non-machine-readable noise) */
    public MachineReadableParser(Supplier<Instant> clock) {
        this.parser = new MachineReadable.Parser(clock);
    }

    /** The event {@code line} makes, or empty while an artifact is still being assembled. */
    public Optional<PackerEvent> parse(String line) {
        return parser.parse(line);
    }
}
