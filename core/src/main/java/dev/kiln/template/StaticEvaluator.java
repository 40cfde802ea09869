package dev.kiln.template;

import dev.kiln.internal.template.Evaluator;
import java.util.Map;
import java.util.Objects;

/**
 * Works out what an expression of a template will be, as far as it can be known before packer
 * runs: literals, variables (from the values given, the folder's {@code *.auto.pkrvars.hcl}, then
 * the defaults), locals built from them, string interpolation, {@code {{user `x`}}} in JSON
 * templates, operators, conditionals, {@code for} expressions and a few common functions
 * ({@code lower}, {@code upper}, {@code title}, {@code trimspace}, {@code replace}, {@code format},
 * {@code merge},
 * {@code join}, {@code split}, {@code concat}, {@code lookup}, {@code coalesce}, {@code length},
 * {@code tostring}; {@code lower}, {@code upper}, {@code replace}, {@code replace_all}, {@code split}
 * in JSON). What it cannot know comes back as {@link Evaluation.Unknown} with the reason:
 * {@code timestamp()}, {@code formatdate()}, {@code uuidv4()}, {@code {{timestamp}}},
 * {@code {{isotime}}} and {@code {{uuid}}} are {@linkplain Evaluation.Reason#NOT_STATIC not static}. An HCL2
 * string holding {@code {{ }}} is read as packer's builders read it: {@code "web_{{timestamp}}"} is not static.
 *
 * <p>Immutable; create one with {@link PackerTemplate#evaluator(Map)}.
 */
public final class StaticEvaluator {

    private final PackerTemplate template;
    private final Map<String, Object> values;
    private final Map<String, String> environment;
    private final Evaluator evaluator;

    private StaticEvaluator(PackerTemplate template, Map<String, ?> values, Map<String, String> environment) {
        this.template = Objects.requireNonNull(template, "template");
        this.values = Map.copyOf(values);
        this.environment = environment == null ? null : Map.copyOf(environment);
        this.evaluator = new Evaluator(template, this.values, this.environment);
    }

    /**
     * An evaluator of {@code template} with these variable values (strings, numbers, booleans, lists
     * and maps of them), which win over the folder's auto variable files and the defaults.
     */
    public static StaticEvaluator of(PackerTemplate template, Map<String, ?> values) {
        return new StaticEvaluator(template, values, null);
    }

    /**
     * The same evaluator, reading environment variables ({@code env("X")}, {@code {{env `X`}}}) from
     * {@code environment}; one missing there reads as an empty string, as packer reads it. Without
     * this, an expression that reads the environment is {@linkplain Evaluation.Reason#ENVIRONMENT unknown}.
     */
    public StaticEvaluator withEnvironment(Map<String, String> environment) {
        return new StaticEvaluator(template, values, Objects.requireNonNull(environment, "environment"));
    }

    /** The value of {@code expression}, or why it is unknown. */
    public Evaluation evaluate(Expression expression) {
        return evaluator.evaluate(expression);
    }

    /** The value of variable {@code name} (given, auto variable file, or default), or why it is unknown. */
    public Evaluation variable(String name) {
        return evaluator.variable(name, null);
    }

    /** The value of local {@code name}, or why it is unknown. */
    public Evaluation local(String name) {
        return evaluator.local(name, null);
    }
}
