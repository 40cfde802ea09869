package dev.kiln.plan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A plan directory with templates, and a context with fixed time, run id and environment, so
 * every rendered name and build id is known in advance.
 */
final class PlanFixture {

    static final Instant NOW = Instant.parse("2024-05-01T12:30:45Z");
    static final String RUN_ID = "k3x9a2b1";
    static final String TIMESTAMP = "20240501123045";
    static final String DB_PASSWORD = "hunter2-correct-horse";

    /** A plan with one amazon-ebs image on two AWS regions and one GCP region, in two environments. */
    static final String MINIMAL = """
            kiln: 1
            name: base-images
            environments: [dev, prod]
            targets:
              - provider: aws
                account: "123456789012"
                regions: [us-east-1, eu-west-1]
              - provider: gcp
                account: kiln-images
                region: us-central1
            images:
              - name: ubuntu-base
                template: templates/ubuntu.json
                builder: amazon-ebs
            """;

    final Path dir;

    PlanFixture(Path dir) {
        this.dir = dir;
        for (String t : List.of("ubuntu.json", "app.pkr.hcl", "null.json")) {
            write("templates/" + t, "{}");
        }
    }

    static PlanContext context() {
        return new PlanContext(NOW, RUN_ID, "abc1234", null,
                Map.of("DB_PASSWORD", DB_PASSWORD, "API_TOKEN", "token-0123456789"));
    }

    Path write(String relative, String text) {
        try {
            Path file = dir.resolve(relative);
            Files.createDirectories(file.getParent());
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path planPath() {
        return dir.resolve("plan.yaml");
    }

    BuildPlan parse(String yaml) {
        return PlanFile.parse(yaml, planPath(), context());
    }

    PlanException refuse(String yaml) {
        try {
            BuildPlan plan = parse(yaml);
            throw new AssertionError("expected the plan to be refused, got " + plan);
        } catch (PlanException e) {
            return e;
        }
    }

    /** The problems' one-line forms, with the plan's directory shortened to {@code plan.yaml}. */
    List<String> problems(String yaml) {
        return refuse(yaml).problems().stream()
                .map(p -> p.describe().replace(dir.toString() + "/", "").replace(dir.toString(), "<dir>"))
                .toList();
    }

    /** {@link #MINIMAL} with {@code from} replaced by {@code to}; fails when {@code from} is not in it. */
    static String minimalWith(String from, String to) {
        return replace(MINIMAL, from, to);
    }

    static String replace(String text, String from, String to) {
        if (!text.contains(from)) {
            throw new IllegalArgumentException("no '" + from + "' in the plan");
        }
        return text.replace(from, to);
    }
}
