package dev.kiln.emulators.vsphere;

import java.util.Map;

/**
 * One virtual machine of the vCenter emulator as a test sees it, templates included (which the
 * VM API itself does not show).
 *
 * @param id         its managed object id, e.g. {@code vm-1012}
 * @param name       its name
 * @param host       the ESXi host it is registered on
 * @param datastore  the datastore its disk lives on
 * @param folder     its VM folder
 * @param powerState {@code POWERED_ON}, {@code POWERED_OFF} or {@code SUSPENDED}
 * @param template   whether it is a template (marked as one, or a content library VM template's VM)
 * @param annotation its notes (vim25's {@code config.annotation}), empty when it has none
 * @param tags       its tags, by category name
 */
public record VmSummary(String id, String name, String host, String datastore, String folder, String powerState,
        boolean template, String annotation, Map<String, String> tags) {

    public VmSummary {
        tags = Map.copyOf(tags);
    }
}
