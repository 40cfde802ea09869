package dev.kiln.benchmarks;

import dev.kiln.job.FailureClass;
import dev.kiln.job.RetryPolicy;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/** The benchmark's fleets: seeded, so every run and every policy sees the same builds. */
final class Workloads {

    static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

    private Workloads() {
    }

    /** (a) 200 builds over 8 AWS regions. */
    static BuildPlan small(long seed) {
        return fleet("a-200x8x1", seed, 200, Map.of("aws", regions("aws", 8)));
    }

    /** (b) 2,000 builds over 4 providers and 40 regions (vSphere hosts count as regions). */
    static BuildPlan large(long seed) {
        Map<String, List<String>> targets = new LinkedHashMap<>();
        for (String provider : List.of("aws", "azure", "gcp", "vsphere")) {
            targets.put(provider, regions(provider, 10));
        }
        return fleet("b-2000x40x4", seed, 2000, targets);
    }

    /** {@code builds} builds spread evenly over the given regions, providers sorted: one seed, one plan. */
    static BuildPlan fleet(String name, long seed, int builds, Map<String, List<String>> regions) {
        Random random = new Random(seed);
        List<Target> targets = new ArrayList<>();
        new TreeMap<>(regions).forEach((provider, names) -> names.forEach(r -> targets.add(Target.of(provider, account(provider), r))));
        List<BuildJob> jobs = new ArrayList<>(builds);
        String runId = "b" + seed;
        for (int i = 0; i < builds; i++) {
            Target target = targets.get(i % targets.size());
            int vcpus = new int[] {2, 2, 4, 4, 8}[random.nextInt(5)];
            Duration expected = Duration.ofSeconds(240 + random.nextInt(960));
            ImageSpec image = ImageSpec.builder("img" + i, Path.of("/templates/img.json"), "null")
                    .expectedDuration(expected).vcpus(vcpus).timeout(Duration.ofHours(6))
                    .build();
            String buildId = runId + "-" + i;
            jobs.add(new BuildJob(JobId.of(image.name(), target, "prod"), image, target, "prod",
                    "img" + i + "-" + buildId, buildId, Set.of(),
                    Demand.of(vcpus, 1, 0, 0).with(Demand.IMAGES, 1)));
        }
        RetryPolicy retries = RetryPolicy.defaults()
                .withAttempts(FailureClass.QUOTA, 1000).withAttempts(FailureClass.THROTTLED, 1000)
                .withBackoff(Duration.ofSeconds(30), Duration.ofMinutes(5));
        return BuildPlan.builder(name).runId(runId).createdAt(T0).jobs(jobs).retryPolicy(retries).build();
    }

    private static String account(String provider) {
        return switch (provider) {
            case "aws" -> "123456789012";
            case "azure" -> "0b3c1f9e-0000-4000-8000-000000000001";
            case "gcp" -> "kiln-bench";
            default -> "vcenter-bench";
        };
    }

    private static List<String> regions(String provider, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(switch (provider) {
                case "aws" -> "us-east-" + (i + 1);
                case "azure" -> "region" + (i + 1);
                case "gcp" -> "us-east" + (i + 1);
                default -> "esxi-" + (i + 1);
            });
        }
        return out;
    }
}
