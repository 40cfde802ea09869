package dev.kiln.spi;

import java.util.List;

/**
 * What a sweep removed and what it could not.
 *
 * @param deleted resources deleted, as {@code type/id}
 * @param failed  resources that could not be deleted, with why
 */
public record SweepReport(List<String> deleted, List<String> failed) {

    public static final SweepReport NOTHING = new SweepReport(List.of(), List.of());

    public SweepReport {
        deleted = List.copyOf(deleted);
        failed = List.copyOf(failed);
    }

    public boolean clean() {
        return failed.isEmpty();
    }
}
