package dev.kiln.emulators;

import java.util.Map;
import java.util.Objects;

/**
 * A live resource found by its tags, anywhere in an emulator.
 *
 * @param provider the emulator's provider name
 * @param account  owning account (or subscription, project)
 * @param region   region it lives in
 * @param type     the provider's resource type, e.g. {@code instance}, {@code image}, {@code snapshot}
 * @param id       the provider's id of it
 * @param state    its current state in the provider's words, e.g. {@code running}, {@code available}
 * @param tags     all its tags (unmodifiable)
 */
public record TaggedResource(String provider, String account, String region, String type, String id, String state,
        Map<String, String> tags) {

    public TaggedResource {
        Objects.requireNonNull(id, "id");
        tags = Map.copyOf(tags);
    }

    @Override
    public String toString() {
        return type + " " + id + " (" + state + ") in " + account + "/" + region + " " + tags;
    }
}
