package dev.kiln.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a provider reads the expiry a build tagged its resources with ({@code kiln_expires_at}: epoch
 * seconds, a valid AWS and Azure tag value, GCE label value and vSphere tag name), for
 * {@link CloudProvider#sweepExpired}. One reading for every provider, so that what counts as
 * expired, and what a value that is no expiry is told, does not differ between clouds.
 *
 * <p>Stability: evolving SPI (see the package documentation).
 */
public final class Expiry {

    /** The template variable every build gets: epoch seconds after which its resources may be swept. */
    public static final String VARIABLE = "kiln_expires_at";

    /** Whole epoch seconds, as the run loop writes them; no sign, no fraction, no exponent. */
    private static final Pattern EPOCH_SECONDS = Pattern.compile("[0-9]{1,18}");

    /** What a resource's expiry value means at a given time. */
    public enum Verdict {
        /** The value is epoch seconds before now: the resource may be swept. */
        EXPIRED,
        /** The value is epoch seconds not before now: the resource stays. */
        NOT_YET,
        /** The value is not epoch seconds: the resource stays, and the sweep reports it. */
        NOT_AN_EXPIRY
    }

    private Expiry() {
    }

    /**
     * Whether {@code value} (a tag's or label's value, or a vSphere tag's name) has expired at
     * {@code now}: expired when it is earlier than {@code now}'s epoch second.
     */
    public static Verdict judge(String value, Instant now) {
        Objects.requireNonNull(now, "now");
        if (value == null || !EPOCH_SECONDS.matcher(value).matches()) {
            return Verdict.NOT_AN_EXPIRY;
        }
        return Long.parseLong(value) < now.getEpochSecond() ? Verdict.EXPIRED : Verdict.NOT_YET;
    }

    /**
     * What a sweep reports (in {@link SweepReport#failed()}) for a resource whose expiry cannot be
     * read, e.g. {@code instance/i-0abc: kiln:expires-at='tomorrow' is not an expiry (epoch seconds,
     * such as 1767225600); left in place}.
     *
     * @param resource the resource as the report names it, {@code type/id}
     * @param key      the tag key, label key or tag category holding the value
     * @param value    the value found
     */
    public static String notAnExpiry(String resource, String key, String value) {
        return resource + ": " + key + "='" + value + "' is not an expiry (epoch seconds, such as 1767225600);"
                + " left in place";
    }
}
