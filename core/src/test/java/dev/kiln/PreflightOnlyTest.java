package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.event.KilnEvent;
import dev.kiln.job.JobState;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Demand;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.sim.SimulatedPackerRunner;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.Refusal;
import dev.kiln.testing.Plans;
import dev.kiln.testing.Recorder;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreflightOnlyTest {

    @TempDir
    Path runs;

    @Test
    void preflight_alone_refuses_what_a_run_would_and_starts_nothing() {
        // Given a plan with one build that can never fit the target's vCPU quota
        VirtualTime time = TimeSource.virtual(Plans.T0);
        SimulatedCloud cloud = SimulatedCloud.builder(time).quota("aws", Demand.VCPUS, 8).build();
        Target target = Target.of("aws", "123456789012", "us-east-1");
        BuildJob small = Plans.job(Plans.image("small", Duration.ofMinutes(5), 2, 0), target, "dev", 0, "r1");
        BuildJob huge = Plans.job(Plans.image("huge", Duration.ofMinutes(5), 16, 0), target, "dev", 1, "r1");
        BuildPlan plan = BuildPlan.builder("preflight").runId("r1").createdAt(Plans.T0).jobs(List.of(small, huge))
                .build();
        Recorder events = new Recorder();
        Kiln.Builder builder = Kiln.builder().time(time).files(f -> f.withRunsDirectory(runs)).listener(events)
                .packerRunner(SimulatedPackerRunner.builder(cloud).build());
        for (CloudProvider p : cloud.providers()) {
            builder.provider(p);
        }

        try (Kiln kiln = builder.build()) {
            // When
            RunResult first = kiln.preflight(plan);
            RunResult second = kiln.preflight(plan);

            // Then the build that never fits is refused, the other passes and is not started
            assertThat(first.refusals()).singleElement().extracting(Refusal::subject, Refusal::kind)
                    .containsExactly(huge.id().value(), Refusal.Kind.QUOTA_NEVER_FITS);
            assertThat(first.jobs()).extracting(JobResult::state).containsExactly(JobState.CANCELLED, JobState.FAILED);
            assertThat(first.jobs().get(0).message()).isEqualTo("preflight only: no build started");
            assertThat(events.of(KilnEvent.BuildStarted.class)).isEmpty();
            assertThat(events.of(KilnEvent.QuotaProbed.class)).isNotEmpty();
            // And the names it reserved were released: a second preflight is refused nothing more
            assertThat(second.refusals()).hasSize(1);
            assertThat(runs.resolve("r1").resolve("report.html")).doesNotExist();
        }
    }

    @Test
    void preflight_alone_cancels_a_chain_of_dependent_builds_once_each() {
        // Given four images, each on top of the one before (a chain, as base, hardened, app, app-extra)
        VirtualTime time = TimeSource.virtual(Plans.T0);
        SimulatedCloud cloud = SimulatedCloud.builder(time).build();
        Target target = Target.of("aws", "123456789012", "us-east-1");
        List<BuildJob> chain = new ArrayList<>();
        for (String name : List.of("base", "hardened", "app", "extra")) {
            BuildJob plain = Plans.job(Plans.image(name, Duration.ofMinutes(5), 2, 0), target, "dev", chain.size(), "r2");
            Set<JobId> after = chain.isEmpty() ? Set.of() : Set.of(chain.get(chain.size() - 1).id());
            chain.add(new BuildJob(plain.id(), plain.image(), target, "dev", plain.imageName(), plain.buildId(), after,
                    plain.demand()));
        }
        BuildPlan plan = BuildPlan.builder("chain").runId("r2").createdAt(Plans.T0).jobs(chain).build();
        Kiln.Builder builder = Kiln.builder().time(time).files(f -> f.withRunsDirectory(runs))
                .packerRunner(SimulatedPackerRunner.builder(cloud).build());
        for (CloudProvider p : cloud.providers()) {
            builder.provider(p);
        }

        try (Kiln kiln = builder.build()) {
            // When only the preflight runs
            RunResult result = kiln.preflight(plan);

            // Then every build ends cancelled, once, whichever of them preflight cancels first
            assertThat(result.jobs()).extracting(JobResult::state).containsOnly(JobState.CANCELLED);
            assertThat(result.refusals()).isEmpty();
        }
    }
}
