package dev.kiln.testing;

import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Object mother for plans in tests: small fixed fleets and seeded random ones. */
public final class Plans {

    public static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

    private static final String[][] TARGETS = {
        {"aws", "123456789012", "us-east-1"}, {"aws", "123456789012", "eu-west-1"},
        {"aws", "123456789012", "ap-southeast-2"}, {"azure", "0b3c1f9e-0000-4000-8000-000000000001", "westeurope"},
        {"azure", "0b3c1f9e-0000-4000-8000-000000000001", "eastus"}, {"gcp", "kiln-images", "us-east1"},
        {"gcp", "kiln-images", "europe-west4"}, {"vsphere", "vcenter-lab", "esxi-01"},
        {"vsphere", "vcenter-lab", "esxi-02"},
    };

    private Plans() {
    }

    public static ImageSpec image(String name, Duration expected, int vcpus, int priority) {
        return ImageSpec.builder(name, Path.of("/templates/" + name + ".json"), "null")
                .expectedDuration(expected).vcpus(vcpus).priority(priority).build();
    }

    public static BuildJob job(ImageSpec image, Target target, String env, int index, String runId) {
        String id = runId + "-" + String.format("%03d", index);
        return new BuildJob(JobId.of(image.name(), target, env), image, target, env,
                image.name() + "-" + env + "-" + id, id, Set.of(),
                Demand.of(image.vcpus() == null ? 2 : image.vcpus(), 1, image.diskGb(), 0).with(Demand.IMAGES, 1));
    }

    /** {@code count} builds spread over every provider and region above, seeded. */
    public static BuildPlan random(long seed, int count) {
        Random random = new Random(seed);
        List<BuildJob> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String[] t = TARGETS[random.nextInt(TARGETS.length)];
            Target target = Target.of(t[0], t[1], t[2]);
            ImageSpec image = image("img" + i, Duration.ofSeconds(60 + random.nextInt(600)),
                    1 + random.nextInt(8), random.nextInt(3));
            jobs.add(job(image, target, random.nextBoolean() ? "dev" : "prod", i, "r" + seed));
        }
        return BuildPlan.builder("random-" + seed).runId("r" + seed).createdAt(T0).jobs(jobs).build();
    }
}
