package dev.kiln.vsphere.internal;

import dev.kiln.KilnException;
import dev.kiln.plan.BuildJob;
import dev.kiln.template.Evaluation;
import dev.kiln.template.Expression;
import dev.kiln.template.PackerTemplate;
import dev.kiln.template.StaticEvaluator;
import dev.kiln.template.TemplatePosition;
import dev.kiln.template.TemplateSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a job's packer template asks its vsphere-clone or vsphere-iso builder to do, as far as it
 * can be known before packer runs: each field's value worked out from the image's variables,
 * Kiln's {@code kiln_*} variables and the environment packer will have, with where it is written.
 * A value that depends on something only packer knows is unknown, and no check is made of it.
 */
final class BuildTemplate {

    /** A field's value: null when it cannot be known before packer runs. */
    record Field(String value, TemplatePosition position) {
        boolean known() {
            return value != null;
        }
    }

    private final TemplateSource source;
    private final StaticEvaluator evaluator;

    private BuildTemplate(TemplateSource source, StaticEvaluator evaluator) {
        this.source = source;
        this.evaluator = evaluator;
    }

    /**
     * The vSphere builder {@code job} runs, read from its template; empty when the build's builder
     * is not vsphere-clone or vsphere-iso (a null builder, say), or the template cannot be read
     * (packer's own validation reports that).
     */
    static Optional<BuildTemplate> of(BuildJob job, Map<String, String> environment) {
        PackerTemplate template;
        try {
            template = PackerTemplate.read(job.image().template());
        } catch (KilnException e) {
            return Optional.empty();
        }
        String only = job.image().only();
        Optional<TemplateSource> source = only == null || only.isBlank()
                ? single(template.sources()) : template.source(only);
        if (source.isEmpty() || !source.get().type().startsWith("vsphere-")) {
            return Optional.empty();
        }
        Map<String, Object> values = new LinkedHashMap<>(job.connection().variables());
        values.put("kiln_image_name", job.imageName());
        values.put("kiln_build_id", job.buildId());
        values.put("kiln_env", job.environment());
        values.put("kiln_region", job.target().region());
        values.put("kiln_account", job.target().account());
        values.put("kiln_provider", job.target().provider());
        return Optional.of(new BuildTemplate(source.get(), template.evaluator(values).withEnvironment(environment)));
    }

    private static Optional<TemplateSource> single(List<TemplateSource> sources) {
        List<TemplateSource> vsphere = sources.stream().filter(s -> s.type().startsWith("vsphere-")).toList();
        return vsphere.size() == 1 ? Optional.of(vsphere.get(0)) : Optional.empty();
    }

    /** {@code vsphere-clone} or {@code vsphere-iso}. */
    String type() {
        return source.type();
    }

    /** The builder as messages name it: its type and build name. */
    String describe() {
        return source.type() + " builder '" + source.buildName() + "'";
    }

    TemplatePosition position() {
        return source.position();
    }

    boolean has(String path) {
        return source.field(path).isPresent();
    }

    /** The field at {@code path}, or empty when the template does not set it. */
    Optional<Field> field(String path) {
        return source.field(path).map(this::field);
    }

    /** Every value at {@code path} (a list's elements stepped through), e.g. {@code network_adapters.network}. */
    List<Field> fields(String path) {
        List<Field> out = new ArrayList<>();
        source.body().fields(path).forEach(e -> out.add(field(e)));
        return out;
    }

    /** A boolean field: its value, false when not set, null when unknown. */
    Boolean flag(String path) {
        Optional<Field> f = field(path);
        if (f.isEmpty()) {
            return false;
        }
        return f.get().known() ? Boolean.valueOf(f.get().value().strip()) : null;
    }

    private Field field(Expression e) {
        Evaluation v = evaluator.evaluate(e);
        if (v instanceof Evaluation.Known k && k.value() != null
                && !(k.value() instanceof List) && !(k.value() instanceof Map)) {
            String text = k.value() instanceof java.math.BigDecimal d ? d.toPlainString() : k.value().toString();
            return new Field(text, e.position());
        }
        return new Field(null, e.position());
    }
}
