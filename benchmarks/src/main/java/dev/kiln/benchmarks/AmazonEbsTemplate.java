package dev.kiln.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The amazon-ebs template the benchmarks build against the EC2 emulator: packer's own builder, no
 * communicator, an Amazon Linux 2 source found by filter, and Kiln's tags. Through Kiln's gate,
 * {@code ec2_endpoint} stays empty and packer calls EC2's real host names, which the gate routes to
 * the emulator; bare packer is given the emulator's endpoint instead.
 */
final class AmazonEbsTemplate {

    private AmazonEbsTemplate() {
    }

    /** Written in a directory of its own: Kiln copies a template's directory into every build's workspace. */
    static Path write(Path work) throws IOException {
        Path file = Files.createDirectories(work.resolve("template")).resolve("amazon-ebs.json");
        Files.writeString(file, """
                {
                  "variables": {
                    "kiln_image_name": "", "kiln_build_id": "", "kiln_expires_at": "", "kiln_run_id": "", "kiln_env": "",
                    "kiln_region": "", "kiln_account": "", "kiln_provider": "", "ec2_endpoint": ""
                  },
                  "builders": [{
                    "type": "amazon-ebs",
                    "region": "{{user `kiln_region`}}",
                    "custom_endpoint_ec2": "{{user `ec2_endpoint`}}",
                    "skip_region_validation": true,
                    "skip_credential_validation": true,
                    "skip_metadata_api_check": true,
                    "source_ami_filter": {
                      "filters": {"name": "amzn2-ami-hvm-*-x86_64-gp2", "root-device-type": "ebs",
                                  "virtualization-type": "hvm"},
                      "owners": ["amazon"],
                      "most_recent": true
                    },
                    "instance_type": "t3.micro",
                    "communicator": "none",
                    "ami_name": "{{user `kiln_image_name`}}",
                    "run_tags": {"kiln:build-id": "{{user `kiln_build_id`}}",
                                 "kiln:expires-at": "{{user `kiln_expires_at`}}"},
                    "run_volume_tags": {"kiln:build-id": "{{user `kiln_build_id`}}",
                                        "kiln:expires-at": "{{user `kiln_expires_at`}}"},
                    "tags": {"kiln:build-id": "{{user `kiln_build_id`}}", "kiln:run-id": "{{user `kiln_run_id`}}"},
                    "snapshot_tags": {"kiln:build-id": "{{user `kiln_build_id`}}"}
                  }]
                }
                """);
        return file;
    }
}
