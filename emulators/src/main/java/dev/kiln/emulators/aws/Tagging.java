package dev.kiln.emulators.aws;

import dev.kiln.emulators.aws.Resources.Resource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** TagSpecification.N on create calls, and the tag rules EC2 applies everywhere. */
final class Tagging {

    static final int MAX_TAGS = 50;

    private Tagging() {
    }

    /**
     * The tags asked for each resource type, e.g. {@code instance} and {@code volume} on
     * RunInstances. A type the action cannot tag is EC2's InvalidParameterValue.
     */
    static Map<String, Map<String, String>> specifications(QueryParams params, Set<String> taggable, String action) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (QueryParams spec : params.members("TagSpecification")) {
            String type = spec.get("ResourceType");
            if (type == null) {
                throw Ec2Error.missing("TagSpecification.N.ResourceType");
            }
            if (!taggable.contains(type)) {
                throw Ec2Error.invalidValue("'" + type + "' is not a valid taggable resource type for this operation.");
            }
            Map<String, String> tags = spec.tags("Tag");
            validate(tags);
            out.computeIfAbsent(type, t -> new LinkedHashMap<>()).putAll(tags);
        }
        return out;
    }

    static void validate(Map<String, String> tags) {
        for (Map.Entry<String, String> t : tags.entrySet()) {
            String key = t.getKey();
            if (key.isEmpty() || key.length() > 128) {
                throw Ec2Error.invalidValue("Tag key must be between 1 and 128 characters, got '" + key + "'");
            }
            if (key.toLowerCase(java.util.Locale.ROOT).startsWith("aws:")) {
                throw Ec2Error.invalidValue("Tag keys starting with 'aws:' are reserved for internal use");
            }
            if (t.getValue().length() > 256) {
                throw Ec2Error.invalidValue("Tag value of key '" + key + "' exceeds 256 characters");
            }
        }
    }

    static void apply(Resource r, Map<String, String> tags) {
        if (tags == null || tags.isEmpty()) {
            return;
        }
        Map<String, String> merged = new LinkedHashMap<>(r.tags);
        merged.putAll(tags);
        if (merged.size() > MAX_TAGS) {
            throw Ec2Error.client("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.");
        }
        r.tags.putAll(tags);
    }
}
