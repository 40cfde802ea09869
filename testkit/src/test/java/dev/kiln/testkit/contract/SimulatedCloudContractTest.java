package dev.kiln.testkit.contract;

import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.spi.CloudProvider;
import dev.kiln.time.TimeSource;
import java.nio.file.Path;
import java.util.Set;

/** The simulated cloud's providers keep the same contract as the real ones. */
class SimulatedCloudContractTest extends CloudProviderContract {

    private final SimulatedCloud cloud = SimulatedCloud.builder(TimeSource.system()).build();
    private final Target target = Target.of("aws", "123456789012", "us-east-1");

    @Override
    protected CloudProvider newProvider() {
        return cloud.provider("aws");
    }

    @Override
    protected Target target() {
        return target;
    }

    @Override
    protected BuildJob sampleJob(String imageName, String buildId) {
        ImageSpec image = ImageSpec.builder("contract", Path.of("/t.json"), "amazon-ebs").vcpus(2).build();
        return new BuildJob(JobId.of("contract", target, "dev"), image, target, "dev", imageName, buildId, Set.of(),
                Demand.of(2, 1, 8, 0));
    }

    @Override
    protected void createImage(String name, String buildId) {
        cloud.createImage(target, name, buildId);
    }

    @Override
    protected void leaveDebris(String buildId) {
        cloud.allocate(target, Demand.of(2, 1, 8, 0), buildId);
    }

    @Override
    protected Set<String> debris(String buildId) {
        return cloud.resourcesOf(buildId);
    }

    /** The simulated cloud keeps no expiry: its expired sweep finds nothing, as the SPI's default does. */
    @Override
    protected boolean supportsExpiry() {
        return false;
    }
}
