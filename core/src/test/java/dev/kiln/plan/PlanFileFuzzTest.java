package dev.kiln.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.testing.Cases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Whatever is in the file, the user gets a plan or a {@link PlanException}: never a parser's stack trace. */
class PlanFileFuzzTest {

    private static final Path PLAN = Path.of("fuzz", "plan.yaml");
    private static final String YAML_NOISE = ":-[]{},#&*!|>'\"%@` \t\n?0123456789abcxyz.\\";
    private static final String JSON_PLAN = "{\"kiln\": 1, \"name\": \"j\", \"environments\": [\"dev\"], \"targets\":"
            + " [{\"provider\": \"aws\", \"account\": \"123456789012\", \"regions\": [\"us-east-1\"]}], \"images\":"
            + " [{\"name\": \"a\", \"template\": \"t.json\", \"builder\": \"amazon-ebs\", \"timeout\": \"1h\"}]}";

    @Test
    void garbled_yaml_is_a_plan_or_a_plan_exception() {
        Cases.check(20240501, 1000, r -> garble(r, PlanFixture.MINIMAL),
                text -> assertOnlyPlanException(() -> PlanFile.parse(text, PLAN, PlanFixture.context())));
    }

    @Test
    void garbled_json_is_a_plan_or_a_plan_exception() {
        Cases.check(20240504, 1000, r -> garble(r, JSON_PLAN), text -> assertOnlyPlanException(
                () -> PlanFile.parse(text, Path.of("fuzz", "plan.json"), PlanFixture.context())));
    }

    @Test
    void random_text_is_a_plan_or_a_plan_exception() {
        Cases.check(20240502, 1000, r -> Cases.anyText(r, 400), text -> {
            assertOnlyPlanException(() -> PlanFile.parse(text, PLAN, PlanFixture.context()));
            assertOnlyPlanException(() -> PlanFile.parse(text, Path.of("fuzz", "plan.json"), PlanFixture.context()));
        });
    }

    @Test
    void random_bytes_on_disk_are_a_plan_or_a_plan_exception() {
        Cases.check(20240503, 300, r -> Cases.bytes(r, 400), bytes -> {
            try {
                Path file = Files.createTempFile("kiln-fuzz", ".yaml");
                try {
                    Files.write(file, bytes);
                    assertOnlyPlanException(() -> PlanFile.load(file, PlanFixture.context()));
                } finally {
                    Files.delete(file);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static void assertOnlyPlanException(Runnable read) {
        try {
            read.run();
        } catch (PlanException e) {
            assertThat(e.getMessage()).startsWith("invalid plan").doesNotContain("com.fasterxml", "org.yaml",
                    "Exception", "\tat ");
            assertThat(e.problems()).isNotEmpty();
        }
    }

    /** {@code plan} with one to eight characters deleted, replaced or inserted. */
    private static String garble(Random r, String plan) {
        StringBuilder sb = new StringBuilder(plan);
        int edits = 1 + r.nextInt(8);
        for (int i = 0; i < edits; i++) {
            char c = YAML_NOISE.charAt(r.nextInt(YAML_NOISE.length()));
            int at = Math.min(r.nextInt(plan.length()), sb.length() - 1);
            if (at < 0) {
                sb.append(c);
                continue;
            }
            switch (r.nextInt(3)) {
                case 0 -> sb.deleteCharAt(at);
                case 1 -> sb.setCharAt(at, c);
                default -> sb.insert(at, c);
            }
        }
        return sb.toString();
    }
}
