package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.testkit.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, item 8: {@code kiln run --simulate} can never reach a cloud. Every packer Kiln starts
 * (version, validate, each build) runs under {@code strace}, which records each {@code connect()}
 * packer and its plugins make; a simulated run of an amazon-ebs template with no custom endpoint
 * (which would call EC2 in us-east-1 and eu-west-1) must make none beyond loopback, and no DNS query.
 */
class SimulateStaysLocalTest {

    private static final Pattern INET = Pattern.compile(
            "connect\\(\\d+, \\{sa_family=AF_INET6?, (?:sin6?_port=htons\\((\\d+)\\)), [^}]*?(?:inet_addr\\(\"([^\"]+)\"\\)"
                    + "|inet_pton\\(AF_INET6, \"([^\"]+)\")");

    @TempDir
    Path dir;

    @Test
    void a_simulated_run_of_a_real_builder_opens_no_connection_beyond_loopback() throws IOException {
        // Given an amazon-ebs template connected through Kiln's variables, pointing at the real EC2,
        // and a packer whose every connect() is recorded
        Path packer = Tools.packer();
        Path strace = RequiredTools.onPath("strace").orElseGet(() -> RequiredTools.unavailable(
                "strace is not installed; install Debian's strace (apt-get install strace)"));
        Path traces = Files.createDirectories(dir.resolve("traces"));
        Path traced = dir.resolve("traced-packer");
        Files.writeString(traced, "#!/bin/sh\nexec '" + strace + "' -f -qq -e trace=connect -o '" + traces
                + "/connect.'$$ '" + packer + "' \"$@\"\n");
        Files.setPosixFilePermissions(traced, PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(dir.resolve("templates"));
        Files.writeString(dir.resolve("templates/ec2.json"), """
                {
                  "variables": { "kiln_region": "", "kiln_image_name": "", "kiln_build_id": "" },
                  "builders": [{
                    "type": "amazon-ebs",
                    "region": "{{user `kiln_region`}}",
                    "access_key": "AKIAIOSFODNN7EXAMPLE",
                    "secret_key": "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
                    "source_ami": "ami-0abcdef1234567890",
                    "instance_type": "t3.micro",
                    "communicator": "none",
                    "ami_name": "{{user `kiln_image_name`}}",
                    "tags": { "kiln:build-id": "{{user `kiln_build_id`}}" },
                    "run_tags": { "kiln:build-id": "{{user `kiln_build_id`}}" }
                  }],
                  "provisioners": [{ "type": "shell-local", "inline": ["curl -s https://ec2.us-east-1.amazonaws.com/"] }]
                }
                """);
        Path plan = dir.resolve("ec2.yaml");
        Files.writeString(plan, """
                kiln: 1
                name: ec2
                environments: [dev]
                targets:
                  - { provider: aws, account: "123456789012", regions: [us-east-1, eu-west-1] }
                images:
                  - { name: base, template: templates/ec2.json, builder: amazon-ebs, instance: t3.micro }
                """);

        // When it runs simulated
        Cli.Result r = Cli.run(Map.of("KILN_PACKER", traced.toString()), "run", "--simulate", "--runs-dir",
                dir.resolve("runs").toString(), plan.toString());

        // Then packer ran (version, validate, builds), and connected to nothing but loopback and local sockets
        List<String> connects = new ArrayList<>();
        try (Stream<Path> files = Files.list(traces)) {
            for (Path f : files.toList()) {
                connects.addAll(Files.readAllLines(f).stream().filter(l -> l.contains("connect(")).toList());
            }
        }
        try (Stream<Path> files = Files.list(traces)) {
            assertThat(files.count()).as("packer invocations traced").isGreaterThanOrEqualTo(4);
        }
        List<String> beyondLoopback = new ArrayList<>();
        for (String line : connects) {
            Matcher m = INET.matcher(line);
            if (line.contains("AF_INET") && (!m.find() || "53".equals(m.group(1)) || !loopback(m.group(2) != null
                    ? m.group(2) : m.group(3)))) {
                beyondLoopback.add(line);
            }
        }
        assertThat(beyondLoopback).as("connections beyond loopback, or DNS").isEmpty();
        // And both builds succeeded, with null stand-ins
        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("2 builds: 2 succeeded");
    }

    private static boolean loopback(String address) {
        return address.startsWith("127.") || address.equals("::1");
    }
}
