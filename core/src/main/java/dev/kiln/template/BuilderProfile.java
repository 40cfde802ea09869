package dev.kiln.template;

import java.util.List;

/**
 * What Kiln knows about one builder type it can run: which provider runs it and which of its fields
 * carry what Kiln must control per build. Field names are dotted paths as {@link TemplateBody#fields(String)}
 * reads them; within a role, the first field written is the one packer uses.
 *
 * @param type          the builder type, e.g. {@code amazon-ebs}
 * @param providerId    the Kiln provider that runs it: {@code aws}, {@code azure}, {@code gcp} or {@code vsphere}
 * @param location      the fields that decide where the build runs (region, location, zone, host or cluster)
 * @param imageName     the fields that name the image it makes; empty when it makes none (amazon-ebsvolume)
 * @param tags          the fields that tag or label what it makes and what it runs; empty when the builder has
 *                      none (the vSphere builders of packer 1.6.6)
 * @param instanceSize  the fields that size the machine it builds on; empty when there is none (amazon-chroot)
 * @param buildIdTags   the tag fields that must carry the build id: the image's (what Kiln verifies an artifact
 *                      by) and the instance's (what a failed build's sweep finds it by); empty when the builder
 *                      cannot tag
 * @param buildIdKeys   the tag (label) keys the provider reads the build id from, the one Kiln writes first
 * @param notes         what a person should know beyond the fields, in a sentence or two
 * @param documentation the builder's documentation page
 */
public record BuilderProfile(String type, String providerId, List<String> location, List<String> imageName,
        List<String> tags, List<String> instanceSize, List<String> buildIdTags, List<String> buildIdKeys,
        String notes, String documentation) {

    public BuilderProfile {
        location = List.copyOf(location);
        imageName = List.copyOf(imageName);
        tags = List.copyOf(tags);
        instanceSize = List.copyOf(instanceSize);
        buildIdTags = List.copyOf(buildIdTags);
        buildIdKeys = List.copyOf(buildIdKeys);
    }
}
