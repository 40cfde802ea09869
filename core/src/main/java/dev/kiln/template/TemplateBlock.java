package dev.kiln.template;

import java.util.List;

/**
 * A nested block, e.g. {@code launch_block_device_mappings { ... }} in a source, as written.
 *
 * @param type     the block's type
 * @param labels   its labels, e.g. {@code ["amazon-ebs", "ubuntu"]} for {@code source "amazon-ebs" "ubuntu"}
 * @param body     what it holds
 * @param position where its type is written
 */
public record TemplateBlock(String type, List<String> labels, TemplateBody body, TemplatePosition position) {

    public TemplateBlock {
        labels = List.copyOf(labels);
    }
}
