package dev.kiln.aws.internal;

import dev.kiln.spi.Expiry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * What one sweep takes: everything tagged with one build id, or everything whose expiry tag has
 * passed. The sweeper asks EC2 for candidates with {@link #tagFilters()} / {@link
 * #instanceFilters()} and lets the selection judge each resource's tags.
 */
abstract sealed class Selection {

    /** A resource's fate in this sweep. */
    record Verdict(boolean take, Optional<String> problem) {
        static final Verdict TAKE = new Verdict(true, Optional.empty());
        static final Verdict LEAVE = new Verdict(false, Optional.empty());

        static Verdict problem(String why) {
            return new Verdict(false, Optional.of(why));
        }
    }

    static Selection build(String buildId) {
        return new Build(buildId);
    }

    static Selection expiredAt(Instant now) {
        return new Expired(now);
    }

    /** DescribeTags filters that list the candidates' tags. */
    abstract List<Filter> tagFilters();

    /** DescribeInstances filters that list candidate instances, terminated ones included. */
    abstract List<Filter> instanceFilters();

    /** Whether a resource with these tags goes; {@code resource} names it in a problem. */
    abstract Verdict judge(String resource, List<Tag> tags);

    /**
     * Whether AMIs (and snapshots) the selection finds are deleted. A build's sweep deletes the
     * failed build's image; an expiry sweep cannot tell a killed build's AMI from a finished one,
     * so it keeps both.
     */
    abstract boolean deletesImages();

    /** For logs and messages: {@code build b-1} or {@code resources expired before ...}. */
    abstract String describe();

    private static final class Build extends Selection {
        private final String buildId;

        Build(String buildId) {
            this.buildId = buildId;
        }

        @Override
        List<Filter> tagFilters() {
            return List.of(Tags.filter("key", Tags.BUILD_ID_KEYS), Tags.filter("value", buildId));
        }

        @Override
        List<Filter> instanceFilters() {
            return List.of(Tags.filter("tag-key", Tags.BUILD_ID_KEYS), Tags.filter("tag-value", buildId));
        }

        @Override
        Verdict judge(String resource, List<Tag> tags) {
            return Tags.carriesBuildId(tags, buildId) ? Verdict.TAKE : Verdict.LEAVE;
        }

        @Override
        boolean deletesImages() {
            return true;
        }

        @Override
        String describe() {
            return "build " + buildId;
        }
    }

    private static final class Expired extends Selection {
        private final Instant now;

        Expired(Instant now) {
            this.now = now;
        }

        @Override
        List<Filter> tagFilters() {
            return List.of(Tags.filter("key", Tags.EXPIRY_KEYS));
        }

        @Override
        List<Filter> instanceFilters() {
            return List.of(Tags.filter("tag-key", Tags.EXPIRY_KEYS));
        }

        /**
         * Taken when every expiry tag it carries (both spellings may be there) has passed; any value
         * that is not epoch seconds keeps it and is reported.
         */
        @Override
        Verdict judge(String resource, List<Tag> tags) {
            List<String> problems = new ArrayList<>();
            boolean expired = false;
            boolean notYet = false;
            for (Tag t : tags) {
                if (!Tags.EXPIRY_KEYS.contains(t.key())) {
                    continue;
                }
                switch (Expiry.judge(t.value(), now)) {
                    case EXPIRED -> expired = true;
                    case NOT_YET -> notYet = true;
                    case NOT_AN_EXPIRY -> problems.add(Expiry.notAnExpiry(resource, t.key(), t.value()));
                }
            }
            if (!problems.isEmpty()) {
                return Verdict.problem(String.join("; ", problems));
            }
            return expired && !notYet ? Verdict.TAKE : Verdict.LEAVE;
        }

        @Override
        boolean deletesImages() {
            return false;
        }

        @Override
        String describe() {
            return "resources expired before " + now;
        }
    }
}
