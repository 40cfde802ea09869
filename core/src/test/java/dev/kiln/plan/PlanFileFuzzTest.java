package dev.kiln.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Whatever is in the file, the user gets a plan or a {@link PlanException}: never a parser's stack trace. */
class PlanFileFuzzTest {

    private static final Path PLAN = Path.of("fuzz", "plan.yaml");
    private static final String YAML_NOISE = ":-[]{},#&*!|>'\"%@` \t\n?0123456789abcxyz.\\";

    @Property(tries = 1000, seed = "20240501")
    void garbledYamlIsAPlanOrAPlanException(@ForAll("garbledPlans") String text) {
        assertOnlyPlanException(() -> PlanFile.parse(text, PLAN, PlanFixture.context()));
    }

    @Property(tries = 1000, seed = "20240504")
    void garbledJsonIsAPlanOrAPlanException(@ForAll("garbledJsonPlans") String text) {
        assertOnlyPlanException(() -> PlanFile.parse(text, Path.of("fuzz", "plan.json"), PlanFixture.context()));
    }

    @Property(tries = 1000, seed = "20240502")
    void randomTextIsAPlanOrAPlanException(@ForAll @Size(max = 400) String text) {
        assertOnlyPlanException(() -> PlanFile.parse(text, PLAN, PlanFixture.context()));
        assertOnlyPlanException(() -> PlanFile.parse(text, Path.of("fuzz", "plan.json"), PlanFixture.context()));
    }

    @Property(tries = 300, seed = "20240503")
    void randomBytesOnDiskAreAPlanOrAPlanException(@ForAll @Size(max = 400) byte[] bytes) throws IOException {
        Path file = Files.createTempFile("kiln-fuzz", ".yaml");
        try {
            Files.write(file, bytes);
            assertOnlyPlanException(() -> PlanFile.load(file, PlanFixture.context()));
        } finally {
            Files.delete(file);
        }
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

    /** The minimal plan with a few characters deleted, replaced or inserted. */
    @Provide
    Arbitrary<String> garbledPlans() {
        return garbled(PlanFixture.MINIMAL);
    }

    @Provide
    Arbitrary<String> garbledJsonPlans() {
        return garbled("{\"kiln\": 1, \"name\": \"j\", \"environments\": [\"dev\"], \"targets\": [{\"provider\":"
                + " \"aws\", \"account\": \"123456789012\", \"regions\": [\"us-east-1\"]}], \"images\": [{\"name\":"
                + " \"a\", \"template\": \"t.json\", \"builder\": \"amazon-ebs\", \"timeout\": \"1h\"}]}");
    }

    private static Arbitrary<String> garbled(String plan) {
        Arbitrary<Integer> position = Arbitraries.integers().between(0, plan.length() - 1);
        Arbitrary<Character> noise = Arbitraries.of(YAML_NOISE.chars().mapToObj(c -> (char) c).toList());
        Arbitrary<Edit> edit = Combinators.combine(position, noise, Arbitraries.integers().between(0, 2))
                .as(Edit::new);
        return edit.list().ofMinSize(1).ofMaxSize(8).map(edits -> apply(plan, edits));
    }

    private record Edit(int position, char c, int kind) {
    }

    private static String apply(String text, List<Edit> edits) {
        StringBuilder sb = new StringBuilder(text);
        for (Edit e : edits) {
            int at = Math.min(e.position, sb.length() - 1);
            if (at < 0) {
                sb.append(e.c);
            } else if (e.kind == 0) {
                sb.deleteCharAt(at);
            } else if (e.kind == 1) {
                sb.setCharAt(at, e.c);
            } else {
                sb.insert(at, e.c);
            }
        }
        return new String(sb.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
