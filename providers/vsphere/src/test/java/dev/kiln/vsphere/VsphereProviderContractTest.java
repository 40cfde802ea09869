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
        Fixtures.build(vcenter, "esx-01", name, buildId);
    }

    @Override
    protected void leaveDebris(String buildId) {
        // A build killed with its clone powered on, and one killed after exporting to the library.
        Fixtures.standIn(vcenter, 1, "--name", "debris-" + buildId, "--build-id", buildId, "--host", "esx-01",
                "--datastore", VcenterEmulator.DEFAULT_DATASTORE, "--fail-after", "power-on");
        Fixtures.standIn(vcenter, 1, "--name", "debris-lib-" + buildId, "--build-id", buildId, "--host", "esx-02",
                "--datastore", VcenterEmulator.DEFAULT_DATASTORE, "--library", VcenterEmulator.DEFAULT_LIBRARY,
                "--fail-after", "template");
    }

    /** Builds killed after tagging and after powering on, their clones tagged with the expiry too. */
    @Override
    protected void leaveDebris(String buildId, String expiresAt) {
        Fixtures.standIn(vcenter, 1, "--name", "debris-" + buildId, "--build-id", buildId, "--expires-at", expiresAt,
                "--host", "esx-01", "--datastore", VcenterEmulator.DEFAULT_DATASTORE, "--fail-after", "power-on");
        Fixtures.standIn(vcenter, 1, "--name", "debris-off-" + buildId, "--build-id", buildId, "--expires-at",
                expiresAt, "--host", "esx-02", "--datastore", VcenterEmulator.DEFAULT_DATASTORE, "--fail-after", "tag");
    }

    @Override
    protected Set<String> debris(String buildId) {
        return vcenter.resourcesTagged(VsphereProvider.DEFAULT_TAG_CATEGORY, buildId).stream()
                .map(TaggedResource::toString).collect(Collectors.toSet());
    }

    @Override
    protected Set<String> secrets() {
        return Set.of(VcenterEmulator.DEFAULT_PASSWORD);
    }
}
