package dev.kiln.emulators.vsphere;

import java.util.Map;

/**
 * One content library item of the vCenter emulator as a test sees it.
 *
 * @param id          its id
 * @param name        its name
 * @param library     the name of its library
 * @param type        {@code vm-template} or {@code ovf}
 * @param description its description, empty when it has none
 * @param tags        its tags, by category name
 */
public record LibraryItemSummary(String id, String name, String library, String type, String description,
        Map<String, String> tags) {

    public LibraryItemSummary {
        tags = Map.copyOf(tags);
    }
}
