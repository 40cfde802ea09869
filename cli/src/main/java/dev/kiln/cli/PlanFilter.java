package dev.kiln.cli;

import dev.kiln.job.FailureClass;
import dev.kiln.job.RetryPolicy;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.JobId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Option;

/** Which builds of a plan a command works on, and how often a build is tried. */
final class PlanFilter {

    @Option(names = "--env", split = ",", paramLabel = "ENV",
            description = "Only builds of these environments (comma-separated). Default: every environment the"
                    + " plan lists. Environment: KILN_ENVIRONMENTS.")
    List<String> environments;

    @Option(names = "--image", split = ",", paramLabel = "IMAGE",
            description = "Only builds of these images (comma-separated); images they depend on must be"
                    + " included too. Default: every image of the plan. Environment: KILN_IMAGES.")
    List<String> images;

    @Option(names = "--retry-attempts", paramLabel = "N",
            description = "Attempts per build for transient failures (throttled, quota, capacity, timeouts,"
                    + " unknown), over the plan's retry.attempts. Environment: KILN_RETRY_ATTEMPTS.")
    Integer retryAttempts;

    /** {@code plan} (read from {@code file}) narrowed to the builds, and tried as often, as asked. */
    BuildPlan narrow(BuildPlan plan, Path file, CliContext ctx) {
        Settings settings = new Settings(ctx);
        List<String> envs = settings.pick(environments, "KILN_ENVIRONMENTS", PlanFilter::list, null);
        List<String> imgs = settings.pick(images, "KILN_IMAGES", PlanFilter::list, null);
        if (envs != null || imgs != null) {
            plan = filter(plan, file, envs, imgs, Settings.source(environments, "--env", "KILN_ENVIRONMENTS"),
                    Settings.source(images, "--image", "KILN_IMAGES"));
        }
        return retries(plan, ctx);
    }

    /** Whether --env or --image was given. */
    boolean narrows() {
        return environments != null || images != null;
    }

    /** {@code plan} with --retry-attempts (or KILN_RETRY_ATTEMPTS) applied to every transient failure. */
    BuildPlan retries(BuildPlan plan, CliContext ctx) {
        Integer attempts = new Settings(ctx).positive(retryAttempts, "--retry-attempts", "KILN_RETRY_ATTEMPTS", null);
        if (attempts != null) {
            RetryPolicy policy = plan.retryPolicy();
            for (FailureClass c : FailureClass.values()) {
                if (c.isRetryable() && c != FailureClass.PROVISIONER_FAILED) {
                    policy = policy.withAttempts(c, attempts);
                }
            }
            plan = plan.toBuilder().retryPolicy(policy).build();
        }
        return plan;
    }

    private static BuildPlan filter(BuildPlan plan, Path file, List<String> envs, List<String> imgs, String envSource,
                                    String imageSource) {
        Set<String> knownEnvs = new TreeSet<>();
        Set<String> knownImages = new TreeSet<>();
        for (BuildJob j : plan.jobs()) {
            knownEnvs.add(j.environment());
            knownImages.add(j.image().name());
        }
        check(file, "environment", envs, knownEnvs, envSource);
        check(file, "image", imgs, knownImages, imageSource);
        List<BuildJob> kept = new ArrayList<>();
        Set<JobId> ids = new LinkedHashSet<>();
        for (BuildJob j : plan.jobs()) {
            if ((envs == null || envs.contains(j.environment())) && (imgs == null || imgs.contains(j.image().name()))) {
                kept.add(j);
                ids.add(j.id());
            }
        }
        for (BuildJob j : kept) {
            for (JobId dep : j.dependsOn()) {
                if (!ids.contains(dep)) {
                    String depImage = plan.job(dep).map(d -> d.image().name()).orElse(dep.value());
                    throw new UsageException(imageSource + ": image '" + j.image().name() + "' depends on '"
                            + depImage + "', which " + imageSource + " leaves out; add it: " + imageSource
                            + (imageSource.startsWith("--") ? " " : "=") + String.join(",", imgs) + "," + depImage);
                }
            }
        }
        if (kept.isEmpty()) {
            throw new UsageException("no build of " + file + " matches"
                    + (envs == null ? "" : " " + envSource + " " + String.join(",", envs))
                    + (imgs == null ? "" : " " + imageSource + " " + String.join(",", imgs)));
        }
        return plan.withJobs(kept);
    }

    private static void check(Path file, String what, List<String> asked, Set<String> known, String source) {
        if (asked == null) {
            return;
        }
        for (String a : asked) {
            if (!known.contains(a)) {
                throw new UsageException(source + ": the plan " + file + " has no " + what + " '" + a + "'; it has "
                        + String.join(", ", known));
            }
        }
    }

    private static List<String> list(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }
}
