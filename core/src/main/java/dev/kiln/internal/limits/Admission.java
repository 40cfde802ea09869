package dev.kiln.internal.limits;

import java.util.Set;

/**
 * The answer to "may this build start now?".
 *
 * @param admitted   true when everything was reserved and charged
 * @param waitNanos  when not admitted: how long until the budget refills, or -1 when only another
 *                   build finishing can make room
 * @param shortOf    the keys (limits or quota metrics) that were short
 * @param reason     the wait in words, for events and reports
 */
public record Admission(boolean admitted, long waitNanos, Set<String> shortOf, String reason) {

    public static final Admission ADMITTED = new Admission(true, 0, Set.of(), "");

    public static Admission waitFor(long nanos, Set<String> shortOf, String reason) {
        return new Admission(false, nanos, Set.copyOf(shortOf), reason);
    }

    public static Admission untilRelease(Set<String> shortOf, String reason) {
        return new Admission(false, -1, Set.copyOf(shortOf), reason);
    }
}
