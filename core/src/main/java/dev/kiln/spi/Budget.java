package dev.kiln.spi;

/**
 * The API budget Kiln granted one build, which a provider turns into packer settings (e.g.
 * {@code AWS_POLL_DELAY_SECONDS}): how many polling calls per minute the build may make, and how
 * far below its configured rate the target's most-throttled limit currently runs.
 *
 * @param pollCallsPerMinute polling calls per minute this build was granted
 * @param rateFactor         1.0 normally; below 1 while the adaptive rate has cut a limit
 */
public record Budget(double pollCallsPerMinute, double rateFactor) {

    public static final Budget UNLIMITED = new Budget(Double.POSITIVE_INFINITY, 1.0);
}
