package dev.kiln.vsphere;

import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.vsphere.VcenterEmulator;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Target;
import dev.kiln.spi.CloudProvider;
import dev.kiln.testkit.contract.CloudProviderContract;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The vSphere provider keeps the provider contract against the vCenter emulator. */
class VsphereProviderContractTest extends CloudProviderContract {

    private static VcenterEmulator vcenter;
    private final Target target = Fixtures.target("esx-01");

    @BeforeAll
    static void startVcenter() {
        vcenter = Fixtures.quickVcenter().start();
    }

    @AfterAll
    static void stopVcenter() {
        vcenter.close();
    }

    @AfterEach
    void closeProvider() {
        provider().close();
    }

    @Override
    protected CloudProvider newProvider() {
        return Fixtures.provider(vcenter).build();
    }

    @Override
    protected Target target() {
        return target;
    }

    @Override
    protected BuildJob sampleJob(String imageName, String buildId) {
        return Fixtures.job(target, imageName, buildId);
    }

    @Override
    protected void createImage(String name, String buildId) {
        new Vim(vcenter).clone(name, "esx-01", "kiln-build-id=" + buildId, true, false);
    }

    /** A build killed with its clone powered on, and one killed after exporting its template to the library. */
    @Override
    protected void leaveDebris(String buildId) {
        Vim vim = new Vim(vcenter);
        vim.clone("debris-" + buildId, "esx-01", "kiln-build-id=" + buildId, false, true);
        vim.export(vim.clone("debris-vm-" + buildId, "esx-02", "kiln-build-id=" + buildId, true, false),
                "debris-lib-" + buildId, "kiln-build-id=" + buildId);
    }

    /** Builds killed after powering on and before, their clones marked with the expiry too. */
    @Override
    protected void leaveDebris(String buildId, String expiresAt) {
        String notes = "kiln-build-id=" + buildId + " kiln-expires-at=" + expiresAt;
        Vim vim = new Vim(vcenter);
        vim.clone("debris-" + buildId, "esx-01", notes, false, true);
        vim.clone("debris-off-" + buildId, "esx-02", notes, false, false);
    }

    /** What carries the build's mark or tag: VMs and templates by their notes, library items by description. */
    @Override
    protected Set<String> debris(String buildId) {
        String mark = "kiln-build-id=" + buildId;
        Set<String> out = vcenter.resourcesTagged(VsphereProvider.DEFAULT_TAG_CATEGORY, buildId).stream()
                .map(TaggedResource::toString).collect(Collectors.toSet());
        vcenter.vms().stream().filter(v -> v.annotation().contains(mark)).forEach(v -> out.add(v.toString()));
        vcenter.libraryItems().stream().filter(i -> i.description().contains(mark)).forEach(i -> out.add(i.toString()));
        return out;
    }

    @Override
    protected Set<String> secrets() {
        return Set.of(VcenterEmulator.DEFAULT_PASSWORD);
    }
}
