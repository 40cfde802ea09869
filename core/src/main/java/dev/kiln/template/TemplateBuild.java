package dev.kiln.template;

import java.util.List;

/**
 * An HCL2 {@code build} block, or the one implicit build of a JSON template (all its builders, all
 * its provisioners and post-processors).
 *
 * @param name                    its {@code name}, or null
 * @param sources                 the sources it builds, in written order
 * @param provisioners            in order
 * @param postProcessors          the post-processor chains, in order
 * @param errorCleanupProvisioner its {@code error-cleanup-provisioner}, or null
 * @param position                where it is declared
 */
public record TemplateBuild(String name, List<BuildSource> sources, List<TemplateProvisioner> provisioners,
        List<TemplatePostProcessor.Chain> postProcessors, TemplateProvisioner errorCleanupProvisioner,
        TemplatePosition position) {

    public TemplateBuild {
        sources = List.copyOf(sources);
        provisioners = List.copyOf(provisioners);
        postProcessors = List.copyOf(postProcessors);
    }
}
