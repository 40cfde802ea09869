package dev.kiln.packer;

import java.util.List;

/**
 * One artifact a packer build reported, from the machine-readable stream or the manifest.
 *
 * @param buildName  the build (source) that produced it, e.g. {@code amazon-ebs}
 * @param builderId  e.g. {@code mitchellh.amazonebs}
 * @param id         provider id(s), e.g. {@code us-east-1:ami-0abc}, or several comma-separated
 * @param files      files produced, if any
 */
public record Artifact(String buildName, String builderId, String id, List<String> files) {
    public Artifact {
        files = List.copyOf(files);
    }
}
