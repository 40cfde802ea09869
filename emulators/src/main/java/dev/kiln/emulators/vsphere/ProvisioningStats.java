package dev.kiln.emulators.vsphere;

/**
 * What the vCenter emulator saw of one host's or datastore's provisioning cost since it started
 * (or was reset).
 *
 * @param kind                  {@code host} or {@code datastore}
 * @param name                  the host's or datastore's name
 * @param maxCost               its limit: operations beyond it waited for a slot
 * @param maxConcurrentCostSeen the highest cost it ever had in flight at once
 * @param operations            provisioning operations (clones, template exports) it took part in
 * @param queued                the part of {@code operations} that had to wait for a slot
 */
public record ProvisioningStats(String kind, String name, long maxCost, long maxConcurrentCostSeen, long operations,
        long queued) {
}
