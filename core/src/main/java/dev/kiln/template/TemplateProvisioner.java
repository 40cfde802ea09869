package dev.kiln.template;

import java.util.List;

/**
 * A provisioner of a build.
 *
 * @param type     e.g. {@code shell}, {@code file}, {@code ansible}
 * @param only     the sources (builders) it runs for, as written; empty for all
 * @param except   the sources it skips, as written
 * @param body     every field as written ({@code type} excluded)
 * @param position where it is declared
 */
public record TemplateProvisioner(String type, List<String> only, List<String> except, TemplateBody body,
        TemplatePosition position) {

    public TemplateProvisioner {
        only = List.copyOf(only);
        except = List.copyOf(except);
    }
}
