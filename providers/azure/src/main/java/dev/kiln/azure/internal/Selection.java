package dev.kiln.azure.internal;

import dev.kiln.spi.Expiry;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What one sweep takes: everything tagged with one build id, or everything whose expiry tag has
 * passed. ARM lists the candidates with {@link #filter()}; the selection then judges each one's
 * tags.
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

    /** The {@code $filter} that lists candidate resource groups and resources. */
    abstract String filter();

    /** Whether a candidate with these tags (null when ARM returned none) goes. */
    abstract Verdict judge(String resource, Map<String, String> tags);

    /**
     * Whether managed images are deleted: a build's sweep deletes its failed build's image; an expiry
     * sweep keeps every image, since packer's {@code azure_tags} reach the finished image too.
     */
    abstract boolean deletesImages();

    abstract String describe();

    static String quoted(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static final class Build extends Selection {
        private final String buildId;

        Build(String buildId) {
            this.buildId = buildId;
        }

        @Override
        String filter() {
            return "tagName eq " + quoted(Tags.BUILD_ID) + " and tagValue eq " + quoted(buildId);
        }

        /** ARM leaves tags out of answers filtered by name and value: its filter is the judge. */
        @Override
        Verdict judge(String resource, Map<String, String> tags) {
            return Verdict.TAKE;
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
        String filter() {
            return "tagName eq " + quoted(Tags.EXPIRES_AT);
        }

        @Override
        Verdict judge(String resource, Map<String, String> tags) {
            String value = null;
            boolean found = false;
            if (tags != null) {
                for (Map.Entry<String, String> t : tags.entrySet()) {
                    // ARM's tag names are case-insensitive.
                    if (t.getKey().equalsIgnoreCase(Tags.EXPIRES_AT)) {
                        value = t.getValue();
                        found = true;
                    }
                }
            }
            if (!found) {
                return Verdict.problem(resource + ": listed by its " + Tags.EXPIRES_AT
                        + " tag, but ARM answered without it; left in place");
            }
            return switch (Expiry.judge(value, now)) {
                case EXPIRED -> Verdict.TAKE;
                case NOT_YET -> Verdict.LEAVE;
                case NOT_AN_EXPIRY -> Verdict.problem(Expiry.notAnExpiry(resource, Tags.EXPIRES_AT, value));
            };
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
