package dev.kiln.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.event.ApiUse;
import dev.kiln.event.KilnEvent;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import dev.kiln.sim.Simulation;
import dev.kiln.sim.SimulationResult;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class KilnMetricsTest {

    private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

    @Test
    void a_runs_meters_scrape_as_prometheus_text() {
        // Given a fleet of 24 builds on two AWS regions, quota for only a few at once, some failing
        KilnMetrics metrics = new KilnMetrics();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.bindTo(registry);
        List<String> midRun = new ArrayList<>();
        BuildPlan plan = plan(24);

        // When it runs in virtual time, scraped once while builds run and wait
        SimulationResult result = Simulation.builder().seed(5).failures(0.3, FailureClass.PROVISIONER_FAILED)
                .cloud(c -> c.quota("aws", Demand.VCPUS, 8))
                .kiln(k -> k.listener(metrics).scheduling(s -> s.withBudgetSampleInterval(Duration.ofSeconds(15)))
                        .listener(e -> {
                    if (e instanceof KilnEvent.BuildStarted s && s.attempt() == 1 && midRun.isEmpty()
                            && s.jobId().startsWith("img6/")) {
                        midRun.add(registry.scrape());
                    }
                }))
                .build().run(plan);
        String end = registry.scrape();

        // Then, mid-run, builds were running and queued and quota was held
        String mid = midRun.get(0);
        assertThat(value(mid, "kiln_builds{state=\"running\"}")).isPositive();
        assertThat(value(mid, "kiln_queue_depth")).isPositive();
        assertThat(value(mid, "kiln_quota_reserved{metric=\"vcpus\",target=\"aws/123456789012/us-east-1\"}"))
                .isPositive();
        assertThat(value(mid, "kiln_quota_headroom{metric=\"vcpus\",target=\"aws/123456789012/us-east-1\"}"))
                .isLessThan(8);
        // And at the end every build is counted once by outcome, nothing is left live or held
        long succeeded = result.run().jobs().stream().filter(j -> j.state() == JobState.SUCCEEDED).count();
        double finished = 0;
        Matcher m = Pattern.compile("(?m)^kiln_builds_finished_total\\{[^}]*\\} (\\S+)$").matcher(end);
        while (m.find()) {
            finished += Double.parseDouble(m.group(1));
        }
        assertThat(finished).isEqualTo(24);
        assertThat(value(end, "kiln_builds_finished_total{failure=\"none\",outcome=\"succeeded\",provider=\"aws\"}"))
                .isEqualTo(succeeded);
        assertThat(value(end, "kiln_builds{state=\"running\"}")).isZero();
        assertThat(value(end, "kiln_queue_depth")).isZero();
        assertThat(value(end, "kiln_quota_reserved{metric=\"vcpus\",target=\"aws/123456789012/us-east-1\"}"))
                .isZero();
        assertThat(value(end, "kiln_quota_limit{metric=\"vcpus\",target=\"aws/123456789012/us-east-1\"}"))
                .isEqualTo(8);
        assertThat(end).contains("# HELP kiln_build_wait_seconds").contains("kiln_build_wait_seconds_count{")
                .contains("kiln_build_attempt_seconds_count{outcome=\"failed\",provider=\"aws\"}")
                .containsPattern("kiln_budget_tokens\\{limit=\"RunInstances\",scope=\"aws/123456789012/us-east-1\"\\}")
                .containsPattern("kiln_budget_capacity\\{limit=\"RunInstances\",scope=\"aws/123456789012/eu-west-1\"\\} 5");
    }

    @Test
    void throttles_count_per_limit_and_a_registry_bound_late_sees_existing_gauges() {
        // Given
        KilnMetrics metrics = new KilnMetrics();
        String limit = "aws/123456789012/us-east-1#RunInstances";
        metrics.onEvent(new KilnEvent.BudgetSample(T0, "k1", limit, 3, 5, 0.4, 2));

        // When
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.bindTo(registry);
        metrics.onEvent(new KilnEvent.ThrottleObserved(T0, "k1", limit, "packer"));
        metrics.onEvent(new KilnEvent.ThrottleObserved(T0, "k1", limit, "sdk"));

        // Then
        String text = registry.scrape();
        assertThat(value(text, "kiln_throttles_total{limit=\"RunInstances\",scope=\"aws/123456789012/us-east-1\"}"))
                .isEqualTo(2);
        assertThat(value(text, "kiln_budget_tokens{limit=\"RunInstances\",scope=\"aws/123456789012/us-east-1\"}"))
                .isEqualTo(3);
        assertThat(value(text, "kiln_budget_reserved_rate{limit=\"RunInstances\",scope=\"aws/123456789012/us-east-1\"}"))
                .isEqualTo(0.4);
    }

    @Test
    void packers_metered_calls_count_per_target_and_api_class_beside_the_prediction() {
        // Given two attempts of builds in one region, metered by the gate
        KilnMetrics metrics = new KilnMetrics();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.bindTo(registry);
        String target = "aws/123456789012/us-east-1";

        // When each attempt's calls are reported as it ends
        metrics.onEvent(new KilnEvent.ApiCallsMetered(T0, "k1", "a/aws/123456789012/us-east-1/dev", 1, target,
                Map.of("RunInstances", new ApiUse(3, 1, 1, 1500, 2), "", new ApiUse(4, 0, 0, 0, 0))));
        metrics.onEvent(new KilnEvent.ApiCallsMetered(T0, "k1", "b/aws/123456789012/us-east-1/dev", 1, target,
                Map.of("RunInstances", new ApiUse(2, 0, 0, 500, 2))));

        // Then calls, predictions, SDK retries, throttles and held time add up per class
        String text = registry.scrape();
        String series = "{api=\"RunInstances\",target=\"" + target + "\"}";
        assertThat(value(text, "kiln_gate_calls_total" + series)).isEqualTo(5);
        assertThat(value(text, "kiln_gate_predicted_total" + series)).isEqualTo(4);
        assertThat(value(text, "kiln_gate_retries_total" + series)).isEqualTo(1);
        assertThat(value(text, "kiln_gate_throttled_total" + series)).isEqualTo(1);
        assertThat(value(text, "kiln_gate_held_seconds_sum" + series)).isEqualTo(2.0);
        assertThat(value(text, "kiln_gate_calls_total{api=\"unlimited\",target=\"" + target + "\"}")).isEqualTo(4);
    }

    private static double value(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no series " + series + " in:\n" + scrape);
    }

    private static BuildPlan plan(int n) {
        List<BuildJob> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Target target = Target.of("aws", "123456789012", i % 2 == 0 ? "us-east-1" : "eu-west-1");
            ImageSpec image = ImageSpec.builder("img" + i, Path.of("/t/img.json"), "amazon-ebs").vcpus(2)
                    .expectedDuration(Duration.ofMinutes(3 + i % 4)).build();
            String id = "m1-" + String.format("%03d", i);
            jobs.add(new BuildJob(JobId.of(image.name(), target, "dev"), image, target, "dev", "img" + i + "-" + id,
                    id, Set.of(), Demand.of(2, 1, 8, 0).with(Demand.IMAGES, 1)));
        }
        return BuildPlan.builder("metrics").runId("m1").createdAt(T0).jobs(jobs).build();
    }
}
