package dev.kiln.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.testing.Cases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whatever is in the file, the user gets a plan or a {@link PlanException}: never a parser's stack trace. */
class PlanFileFuzzTest {

    private static final Path PLAN = Path.of("fuzz", "plan.yaml");
    private static final String YAML_NOISE = ":-[]{},#&*!|>'\"%@` \t\n?0123456789abcxyz.\\";
    private static final String JSON_PLAN = "{\"kiln\": 1, \"name\": \"j\", \"environments\": [\"dev\"], \"targets\":"
            + " [{\"provider\": \"aws\", \"account\": \"123456789012\", \"regions\": [\"us-east-1\"]}], \"images\":"
            + " [{\"name\": \"a\", \"template\": \"t.json\", \"builder\": \"amazon-ebs\", \"timeout\": \"1h\"}]}";

    @Test
    void garbled_yaml_is_a_plan_or_a_plan_exception() {
        Cases.check(20240501, 10_000, r -> garble(r, PlanFixture.MINIMAL),
                text -> assertOnlyPlanException(() -> PlanFile.parse(text, PLAN, PlanFixture.context())));
    }

    @Test
    void garbled_json_is_a_plan_or_a_plan_exception() {
        Cases.check(20240504, 10_000, r -> garble(r, JSON_PLAN), text -> assertOnlyPlanException(
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

    /**
     * Plans whose every value is drawn from hostile tokens (traversal, absolute and home paths, shell
     * and packer-argument metacharacters, newlines, YAML tricks, huge and empty values) are refused
     * with a {@link PlanException}, or give jobs whose templates lie inside the plan's directory and
     * whose names, ids and {@code -only=} value cannot be read as more than one shell word or packer
     * argument.
     */
    @Test
    void hostile_values_give_a_plan_exception_or_a_plan_that_stays_in_its_directory_and_quotes_nothing(
            @TempDir Path dir) throws IOException {
        PlanFixture fixture = new PlanFixture(dir.resolve("plans"));
        fixture.write("templates/a b.json", "{}");
        fixture.write("outside.json", "{}");
        Path planDir = fixture.dir.toRealPath();
        int[] accepted = {0};
        Cases.check(20251125, 10_000, PlanFileFuzzTest::hostilePlan, yaml -> {
            BuildPlan plan;
            try {
                plan = fixture.parse(yaml);
            } catch (PlanException e) {
                assertOnlyPlanException(() -> {
                    throw e;
                });
                return;
            }
            accepted[0]++;
            for (BuildJob job : plan.jobs()) {
                try {
                    assertThat(job.image().template().toRealPath()).as("template of %s", job.id()).startsWith(planDir);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                assertThat(job.image().only()).as("-only= of %s", job.id()).matches("[A-Za-z0-9._-]+");
                for (String word : List.of(job.id().value(), job.imageName(), job.buildId(), job.environment(),
                        plan.name())) {
                    assertThat(word).as("name of %s", job.id()).doesNotContainPattern("[;&|$`<>\\\"\\s*?!{}#~%]")
                            .doesNotStartWith("-");
                }
            }
        });
        // the generator is not so hostile that nothing gets through
        assertThat(accepted[0]).isBetween(100, 9_900);
    }

    private static final List<String> HOSTILE = List.of("../outside.json", "templates/../../outside.json",
            "/etc/passwd", "~/t.json", "templates/ubuntu.json\n", "$(id)", "`id`", "a;rm -rf ~", "a|b", "a&&b",
            "-only=*", "--help", "a,b", "*", "a b", "'q'", "\"dq\"", "${HOME}", "{{user `x`}}", "%s%n", "\u0000",
            "\t", "x\ny", "<script>", "&anchor", "*alias", "!!binary", "? k", "- l", "[a]", "{a: b}", "null", "~",
            "0x1F", "1e9", ".inf", "", " ", "a".repeat(300), "ünïcödé", "\u202eabc", "templates/a b.json",
            "ubuntu-base", "app", "dev", "us-east-1", "amazon-ebs", "null", "templates/ubuntu.json",
            "templates/null.json");

    private static String token(Random r) {
        return HOSTILE.get(r.nextInt(HOSTILE.size()));
    }

    /** A YAML value: the token as it is, or quoted with the escapes it needs. */
    private static String value(Random r) {
        String t = token(r);
        return r.nextBoolean() ? t : "\"" + t.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    /** The fixture's minimal plan with some of its values (and some optional fields) drawn from {@link #HOSTILE}. */
    private static String hostilePlan(Random r) {
        String plan = PlanFixture.MINIMAL;
        String[][] slots = {{"name: base-images", "name: "}, {"[dev, prod]", null}, {"[us-east-1, eu-west-1]", null},
                {"name: ubuntu-base", "name: "}, {"template: templates/ubuntu.json", "template: "},
                {"builder: amazon-ebs", "builder: "}};
        for (String[] slot : slots) {
            if (r.nextInt(4) != 0) {
                continue;
            }
            String to = slot[1] == null ? "[" + value(r) + (r.nextBoolean() ? ", " + value(r) : "") + "]"
                    : slot[1] + value(r);
            plan = plan.replace(slot[0], to);
        }
        StringBuilder extra = new StringBuilder();
        if (r.nextInt(4) == 0) {
            extra.append("    only: ").append(value(r)).append('\n');
        }
        if (r.nextInt(4) == 0) {
            extra.append("    naming: ").append(value(r)).append('\n');
        }
        if (r.nextInt(4) == 0) {
            extra.append("    variables: {").append(value(r)).append(": ").append(value(r)).append("}\n");
        }
        return plan + extra;
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
