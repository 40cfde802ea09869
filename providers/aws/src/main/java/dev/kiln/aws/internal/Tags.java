package dev.kiln.aws.internal;

import java.util.List;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Tag;

/** The tags Kiln's builds carry, and how to find what carries them. */
final class Tags {

    /** The tag Kiln's example templates put on everything a build creates. */
    static final String BUILD_ID = "kiln:build-id";
    /** The same, as older templates (and tag policies that refuse ':') spell it. */
    static final String BUILD_ID_DASHED = "kiln-build-id";
    static final List<String> BUILD_ID_KEYS = List.of(BUILD_ID, BUILD_ID_DASHED);

    private Tags() {
    }

    static boolean carriesBuildId(List<Tag> tags, String buildId) {
        for (Tag t : tags) {
            if (BUILD_ID_KEYS.contains(t.key()) && buildId.equals(t.value())) {
                return true;
            }
        }
        return false;
    }

    /** The build-id tags a resource carries, as {@code key=value}, for messages. */
    static String buildIdTags(List<Tag> tags) {
        StringBuilder b = new StringBuilder();
        for (Tag t : tags) {
            if (BUILD_ID_KEYS.contains(t.key())) {
                b.append(b.length() == 0 ? "" : ", ").append(t.key()).append('=').append(t.value());
            }
        }
        return b.length() == 0 ? "no kiln:build-id tag" : b.toString();
    }

    static Filter filter(String name, String... values) {
        return Filter.builder().name(name).values(values).build();
    }

    static Filter filter(String name, List<String> values) {
        return Filter.builder().name(name).values(values).build();
    }
}
