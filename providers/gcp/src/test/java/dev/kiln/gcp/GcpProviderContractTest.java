package dev.kiln.gcp;

import dev.kiln.emulators.gcp.GceDelays;
import dev.kiln.emulators.gcp.GceEmulator;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import dev.kiln.spi.CloudProvider;
import dev.kiln.testkit.contract.CloudProviderContract;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The provider contract every Kiln provider passes, for GCP against the Compute Engine emulator. */
class GcpProviderContractTest extends CloudProviderContract {

    private static final String PROJECT = "kiln-contract";
    private static final String ZONE = "us-east1-b";
    private static GceEmulator gce;
    private static GceFixture fixture;
    private final Target target = Target.of("gcp", PROJECT, "us-east1");
    private CloudProvider made;

    @BeforeAll
    static void startEmulator() {
        gce = GceEmulator.builder().delays(GceDelays.uniform(Duration.ofMillis(100))).start();
        fixture = new GceFixture(gce);
    }

    @AfterAll
    static void stopEmulator() {
        fixture.close();
        gce.close();
    }

    @AfterEach
    void closeProvider() {
        if (made != null) {
            made.close();
        }
    }

    @Override
    protected CloudProvider newProvider() {
        made = GcpProvider.builder().endpoint(gce.endpoint()).noCredentials()
                .operationPolling(Duration.ofMillis(50), Duration.ofSeconds(30)).build();
        return made;
    }

    @Override
    protected Target target() {
        return target;
    }

    @Override
    protected BuildJob sampleJob(String imageName, String buildId) {
        ImageSpec image = ImageSpec.builder("contract", Path.of("/templates/gce.json"), "googlecompute")
                .instanceSize("e2-standard-2").build();
        return new BuildJob(JobId.of("contract", target, "dev"), image, target, "dev", imageName, buildId, Set.of(),
                Demand.of(2, 1, 10, 1));
    }

    @Override
    protected void createImage(String name, String buildId) {
        fixture.await(PROJECT, fixture.image(PROJECT, name, buildId));
    }

    @Override
    protected void leaveDebris(String buildId) {
        fixture.await(PROJECT, fixture.instance(PROJECT, ZONE, "packer-" + buildId, "e2-standard-2", buildId));
        fixture.await(PROJECT, fixture.disk(PROJECT, ZONE, "scratch-" + buildId, buildId));
        fixture.image(PROJECT, "half-made-" + buildId, buildId);
        gce.failImage(PROJECT, "half-made-" + buildId);
    }

    /** As packer's googlecompute leaves it with the expiry in {@code labels}: instance and disk, no image. */
    @Override
    protected void leaveDebris(String buildId, String expiresAt) {
        Map<String, String> labels = Map.of(GcpProvider.BUILD_ID_LABEL, buildId, GcpProvider.EXPIRY_LABEL, expiresAt);
        fixture.await(PROJECT, fixture.instance(PROJECT, ZONE, "packer-" + buildId, "e2-standard-2", labels));
        fixture.await(PROJECT, fixture.disk(PROJECT, ZONE, "scratch-" + buildId, labels));
    }

    /** Everything labelled with the build id, and the disks named after it (packer's boot disk has no label). */
    @Override
    protected Set<String> debris(String buildId) {
        Set<String> left = gce.resourcesTagged(GcpProvider.BUILD_ID_LABEL, buildId).stream()
                .map(r -> r.type() + "/" + r.id()).collect(Collectors.toCollection(TreeSet::new));
        fixture.disksNamedLike(PROJECT, buildId).forEach(d -> left.add("disk/" + d));
        return left;
    }
}
