package dev.kiln.plan;

import dev.kiln.internal.plan.PlanReader;
import java.nio.file.Path;

/**
 * Reads a plan file: YAML, or JSON (JSON is YAML; files named {@code *.json} are read by a JSON
 * parser). The file describes a fleet as a matrix (images by targets by environments) that is
 * expanded into one {@link BuildJob} per combination, exactly as {@link Fleet} does in code.
 *
 * <pre>{@code
 * kiln: 1
 * name: base-images
 * environments: [dev, prod]
 * targets:
 *   - provider: aws
 *     account: "123456789012"
 *     regions: [us-east-1, eu-west-1]
 * images:
 *   - name: ubuntu-base
 *     template: templates/ubuntu.pkr.json
 *     builder: amazon-ebs
 * }</pre>
 *
 * <p>Template paths are relative to the plan file's directory and may not leave it.
 * {@code ${env:NAME}} in variables, accounts and target options reads the context's
 * {@link PlanContext#env() environment}. A plan that cannot run is refused with one
 * {@link PlanException} listing every problem, each naming file, line, column, field, the value
 * and what is allowed; values of {@code sensitive} variables are masked.
 */
public final class PlanFile {

    private PlanFile() {
    }

    /**
     * Reads, validates and expands the plan in {@code file}.
     *
     * @throws PlanException when the file cannot be read or the plan cannot run as written
     */
    public static BuildPlan load(Path file, PlanContext ctx) {
        return PlanReader.load(file, ctx);
    }

    /**
     * Reads, validates and expands a plan given as text.
     *
     * @param nameForMessages names the plan in messages; its directory anchors template paths, and a
     *                        name ending in {@code .json} selects the JSON parser
     * @throws PlanException when the plan cannot run as written
     */
    public static BuildPlan parse(String text, Path nameForMessages, PlanContext ctx) {
        return PlanReader.parse(text, nameForMessages, ctx);
    }
}
