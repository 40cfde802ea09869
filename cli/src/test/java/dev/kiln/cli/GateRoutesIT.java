package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.emulators.aws.Ec2Emulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln run --gate-route}: real amazon-ebs builds (packer 1.6.6) whose template names no
 * endpoint, so packer calls EC2's real host names, which the gate sends to the EC2 emulator and
 * meters. Without the route they would reach for the internet; a template naming a loopback
 * endpoint instead reaches the emulator past the gate, unmetered.
 */
class GateRoutesIT {

    private static final Map<String, String> AWS = Map.of("AWS_ACCESS_KEY_ID", "AKIAKILNROUTES000001",
            "AWS_SECRET_ACCESS_KEY", "kiln-routes-test-not-a-secret", "KILN_AWS_POLL_DELAY", "1s");

    @TempDir
    Path cwd;

    @Test
    void packers_calls_to_ec2s_real_hosts_reach_the_emulator_through_the_gate_and_are_metered() throws Exception {
        Tools.packer();
        Set<String> regionsCalled = ConcurrentHashMap.newKeySet();
        try (Ec2Emulator ec2 = Ec2Emulator.builder().onCall(c -> {
            if (c.action().equals("RunInstances") && c.succeeded()) {
                regionsCalled.add(c.region());
            }
        }).start()) {
            // Given a plan whose template names no endpoint, and Kiln's own calls to the emulator
            Map<String, String> env = new HashMap<>(AWS);
            env.put("KILN_AWS_ENDPOINT", ec2.endpoint().toString());
            env.put("CI", "true");
            Path plan = Cli.plans(cwd).resolve("gate-routed.yaml");

            // When it runs with EC2's hosts routed to the emulator
            KilnProcess.Run r = KilnProcess.run(cwd, env, "run", "--gate-route",
                    "ec2.*.amazonaws.com=" + ec2.endpoint(), plan.toString());

            // Then both builds succeeded in their own regions, their calls metered by the gate
            assertThat(r.exit()).as("%s", r).isZero();
            assertThat(r.out()).contains("2 builds: 2 succeeded")
                    .contains("ec2.*.amazonaws.com to " + ec2.endpoint());
            assertThat(regionsCalled).containsExactlyInAnyOrder("us-east-1", "eu-west-1");
            Path run = KilnProcess.onlyRun(cwd.resolve("kiln-runs"));
            ObjectMapper json = new ObjectMapper();
            List<JsonNode> metered = Files.readAllLines(run.resolve("events.jsonl")).stream().map(l -> {
                try {
                    return json.readTree(l);
                } catch (Exception e) {
                    throw new AssertionError(l, e);
                }
            }).filter(e -> e.path("type").asText().equals("ApiCallsMetered")).toList();
            assertThat(metered).hasSize(2).allSatisfy(e -> assertThat(e.path("byApi").path("RunInstances")
                    .path("calls").asInt()).as("%s", e).isPositive());
        }
    }
}
