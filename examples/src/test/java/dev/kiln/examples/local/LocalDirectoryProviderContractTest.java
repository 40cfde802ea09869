package dev.kiln.examples.local;

import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import dev.kiln.spi.CloudProvider;
import dev.kiln.testkit.contract.CloudProviderContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/** The custom provider keeps the contract every provider keeps. */
class LocalDirectoryProviderContractTest extends CloudProviderContract {

    @TempDir
    Path root;

    private final Target target = Target.of("local", "this-host", "fast-ssd");

    @Override
    protected CloudProvider newProvider() {
        return LocalDirectoryProvider.of(root, 2, 100);
    }

    @Override
    protected Target target() {
        return target;
    }

    @Override
    protected BuildJob sampleJob(String imageName, String buildId) {
        ImageSpec image = ImageSpec.builder("contract", root.resolve("t.json"), "null").diskGb(1).build();
        return new BuildJob(JobId.of("contract", target, "dev"), image, target, "dev", imageName, buildId, Set.of(),
                Demand.NONE);
    }

    @Override
    protected void createImage(String name, String buildId) {
        write(root.resolve("fast-ssd").resolve(name), buildId);
    }

    @Override
    protected void leaveDebris(String buildId) {
        write(root.resolve("fast-ssd/.work").resolve(buildId), buildId);
    }

    @Override
    protected Set<String> debris(String buildId) {
        Set<String> out = new HashSet<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> p.getFileName().toString().equals(LocalDirectoryProvider.MARKER)).forEach(p -> {
                try {
                    if (Files.readString(p).strip().equals(buildId)) {
                        out.add(p.getParent().toString());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static void write(Path dir, String buildId) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(LocalDirectoryProvider.MARKER), buildId + "\n");
            Files.writeString(dir.resolve("disk.img"), "not really a disk");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The example keeps no expiry tags: it shows the minimum a provider needs, and sweeps by build id only. */
    @Override
    protected boolean supportsExpiry() {
        return false;
    }
}
