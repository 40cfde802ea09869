package dev.kiln.template;

import java.util.List;

/**
 * One post-processor. Post-processors run in {@link Chain}s: each chain takes the build's artifact
 * and passes it from one step to the next.
 *
 * @param type     e.g. {@code manifest}, {@code shell-local}, {@code amazon-import}
 * @param name     its name, or null
 * @param only     the sources (builders) it runs for, as written; empty for all
 * @param except   the sources it skips, as written
 * @param body     every field as written ({@code type} excluded)
 * @param position where it is declared
 */
public record TemplatePostProcessor(String type, String name, List<String> only, List<String> except,
        TemplateBody body, TemplatePosition position) {

    public TemplatePostProcessor {
        only = List.copyOf(only);
        except = List.copyOf(except);
    }

    /**
     * Post-processors run one after the other on the same artifact: an HCL2 {@code post-processors { }}
     * block or a JSON nested array; a lone {@code post-processor} is a chain of one.
     *
     * @param steps    in order
     * @param position where the chain is written
     */
    public record Chain(List<TemplatePostProcessor> steps, TemplatePosition position) {

        public Chain {
            steps = List.copyOf(steps);
        }
    }
}
