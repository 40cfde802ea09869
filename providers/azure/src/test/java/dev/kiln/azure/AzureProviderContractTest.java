package dev.kiln.azure;

import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.azure.ArmDelays;
import dev.kiln.emulators.azure.ArmEmulator;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The Azure provider keeps the provider contract against the ARM emulator. */
class AzureProviderContractTest extends CloudProviderContract {

    private static final String SUBSCRIPTION = ArmEmulator.DEFAULT_SUBSCRIPTION;
    private static final String GROUP = "kiln-images";
    private static final String REGION = "westeurope";

    private static ArmEmulator arm;
    private static Arm fixtures;
    private final Target target = new Target("azure", SUBSCRIPTION, REGION, Map.of("resource_group", GROUP));

    @BeforeAll
    static void startEmulator() {
        arm = ArmEmulator.builder().delays(new ArmDelays(Duration.ofMillis(200), Duration.ofMillis(200),
                Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofMillis(300), Duration.ZERO)).start();
        fixtures = new Arm(arm, SUBSCRIPTION);
        fixtures.resourceGroup(GROUP, REGION, Map.of());
    }

    @AfterAll
    static void stopEmulator() {
        arm.close();
    }

    @Override
    protected CloudProvider newProvider() {
        return AzureProvider.builder().endpoint(arm.endpoint()).build();
    }

    @Override
    protected Target target() {
        return target;
    }

    @Override
    protected BuildJob sampleJob(String imageName, String buildId) {
        ImageSpec image = ImageSpec.builder("contract", Path.of("/t.json"), "azure-arm")
                .instanceSize("Standard_D2s_v3").build();
        return new BuildJob(JobId.of("contract", target, "dev"), image, target, "dev", imageName, buildId, Set.of(),
                Demand.of(2, 1, 30, 1));
    }

    @Override
    protected void createImage(String name, String buildId) {
        fixtures.image(GROUP, REGION, name, Map.of(AzureProvider.BUILD_TAG, buildId));
    }

    @Override
    protected void leaveDebris(String buildId) {
        Map<String, String> tags = Map.of(AzureProvider.BUILD_TAG, buildId);
        fixtures.resourceGroup("packer-Resource-Group-" + buildId, REGION, tags);
        fixtures.vmWithNetwork(GROUP, REGION, "pkrvm" + buildId, "Standard_D2s_v3", tags);
        fixtures.disk(GROUP, REGION, "data-" + buildId, tags);
    }

    /** As {@link #leaveDebris(String)}, everything tagged with the expiry too, as packer's azure_tags put it. */
    @Override
    protected void leaveDebris(String buildId, String expiresAt) {
        Map<String, String> tags = Map.of(AzureProvider.BUILD_TAG, buildId, AzureProvider.EXPIRY_TAG, expiresAt);
        fixtures.resourceGroup("packer-Resource-Group-" + buildId, REGION, tags);
        fixtures.vmWithNetwork(GROUP, REGION, "pkrvm" + buildId, "Standard_D2s_v3", tags);
        fixtures.disk(GROUP, REGION, "data-" + buildId, tags);
    }

    @Override
    protected Set<String> debris(String buildId) {
        return arm.resourcesTagged(AzureProvider.BUILD_TAG, buildId).stream().map(TaggedResource::id)
                .collect(Collectors.toSet());
    }
}
