package dev.kiln.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whatever it is given, the reader answers with a template or a {@link TemplateException} whose
 * problems name the file, and the evaluator with an {@link Evaluation}: never another exception, a
 * stack overflow or a hang. Inputs come from fixed seeds, so a failure names the seed and case that
 * reproduce it.
 */
class TemplateReaderFuzzTest {

    private static final String[] HCL_PIECES = {"{", "}", "[", "]", "(", ")", "\"", "\"${", "%{", "<<EOF\n",
        "<<-EOT\n", "EOF\n", "  EOT\n", "=", "==", ".", "...", ",", ":", "?", "=>", "for", "in", "if", "var", "local",
        "source", "build", "variable", "locals", "x", "1", "1.5e3", "9e99999999999", "true", "null", "\n", " ",
        "#c\n", "//", "/*", "*/", "\\", "\\u12", "-", "!", "&&", "~", "{{user `x`}}", "{{", "}}", "é", "\u0000", "\t",
        "*", "[*]", "\"amazon-ebs\"", "\"source.a.b\"", "sources", "provisioner", "timestamp()", "$${", "%%{"};

    private static final String[] JSON_PIECES = {"{", "}", "[", "]", "\"", ":", ",", "\"builders\"",
        "\"variables\"", "\"type\"", "\"amazon-ebs\"", "\"post-processors\"", "\"only\"", "1", "-0.5e7", "1e999999999999",
        "true", "null", " ", "\n", "\\", "\\u00e9", "\\q", "{{user `x`}}", "{{", "}}", "{{ (((", "| lower", "é",
        "\u0001", "\"sensitive-variables\"", "\"_c\""};

    @TempDir
    Path dir;

    private static List<String> fixtures() {
        try (Stream<Path> files = Files.walk(Fixtures.path(""))) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".hcl") || p.toString().endsWith(".json"))
                    .sorted().map(p -> {
                        try {
                            return Files.readString(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pieces(Random r, String[] alphabet, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(alphabet[r.nextInt(alphabet.length)]);
        }
        return sb.toString();
    }

    private static String garbage(Random r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append((char) (r.nextInt(10) == 0 ? r.nextInt(0xD7FF) : 9 + r.nextInt(120)));
        }
        return sb.toString();
    }

    /** A fixture with a slice deleted, duplicated or replaced by garbage, or cut short. */
    private static String mutated(Random r, String text) {
        int a = r.nextInt(text.length());
        int b = Math.min(text.length(), a + r.nextInt(40));
        return switch (r.nextInt(4)) {
            case 0 -> text.substring(0, a) + text.substring(b);
            case 1 -> text.substring(0, b) + text.substring(a, b) + text.substring(b);
            case 2 -> text.substring(0, a) + garbage(r, 1 + r.nextInt(8)) + text.substring(b);
            default -> text.substring(0, a);
        };
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void random_input_gets_a_template_or_the_readers_own_exception(long seed) {
        Random r = new Random(seed);
        List<String> fixtures = fixtures();
        for (int i = 0; i < 300; i++) {
            boolean json = r.nextBoolean();
            String text = switch (i % 4) {
                case 0 -> garbage(r, r.nextInt(200));
                case 1 -> pieces(r, json ? JSON_PIECES : HCL_PIECES, r.nextInt(60));
                default -> mutated(r, fixtures.get(r.nextInt(fixtures.size())));
            };
            check(json ? "f.json" : "f.pkr.hcl", text, seed, i);
        }
    }

    @Test
    void deep_nesting_and_long_chains_are_refused_not_overflowed() {
        String deepHcl = "locals {\n  x = " + "[".repeat(20_000) + "\n}\n";
        String deepParens = "locals {\n  x = " + "(".repeat(20_000) + "1" + ")".repeat(20_000) + "\n}\n";
        String longChain = "locals {\n  x = 1" + " + 1".repeat(20_000) + "\n}\n";
        String longSteps = "locals {\n  x = f()" + ".a".repeat(20_000) + "\n}\n";
        String notNot = "locals {\n  x = " + "!".repeat(20_000) + "true\n}\n";
        String deepBlocks = "a {\n".repeat(20_000);
        String deepJson = "[".repeat(20_000);
        String deepAction = "{\"builders\": [{\"type\": \"x\", \"name\": \"{{" + "(".repeat(20_000) + "}}\"}]}";
        String longPipe = "{\"builders\": [{\"type\": \"x\", \"name\": \"{{ 1" + " | lower".repeat(5_000) + " }}\"}]}";

        for (String hcl : List.of(deepHcl, deepParens, longChain, longSteps, notNot, deepBlocks)) {
            assertThat(check("deep.pkr.hcl", hcl, 0, 0)).contains("more than 128 deep");
        }
        assertThat(check("deep.json", deepJson, 0, 0)).contains("more than 128 deep");
        check("deep.json", deepAction, 0, 0);
        check("deep.json", longPipe, 0, 0);
    }

    @Test
    void huge_numbers_are_refused_or_unknown_never_an_out_of_memory() {
        assertThat(check("n.pkr.hcl", "locals {\n  x = 1e99999999999\n}\n", 0, 0))
                .contains("number 1e99999999999 is out of range");
        PackerTemplate t = PackerTemplate.parse(Path.of("n.pkr.hcl"), "locals {\n  a = 2e2000000000 * 3e2000000000\n"
                + "  b = \"n${1e999999999}\"\n  c = format(\"%99999999s\", \"x\")\n  d = format(\"%d\", 1e999999)\n}\n");
        StaticEvaluator ev = t.evaluator(Map.of());

        assertThat(((Evaluation.Unknown) ev.local("a")).explanation()).isEqualTo("the result of * is out of range");
        assertThat(ev.local("b")).isEqualTo(new Evaluation.Known("n1E+999999999"));
        assertThat(ev.local("c")).isInstanceOf(Evaluation.Unknown.class);
        assertThat(ev.local("d")).isInstanceOf(Evaluation.Unknown.class);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13})
    void random_variable_files_get_values_or_the_readers_own_exception(long seed) throws IOException {
        Random r = new Random(seed);
        for (int i = 0; i < 100; i++) {
            boolean json = r.nextBoolean();
            String text = i % 2 == 0 ? pieces(r, json ? JSON_PIECES : HCL_PIECES, r.nextInt(40))
                    : mutated(r, json ? "{\"a\": [1, {\"b\": true}], \"c\": null}" : "a = [1, { b = true }]\nc = -2\n");
            Path file = dir.resolve("v" + i + (json ? ".json" : ".pkrvars.hcl"));
            Files.writeString(file, text);
            try {
                VariableFile.read(file);
            } catch (TemplateException e) {
                assertWellFormed(e, file.toString(), seed, i, text);
            } catch (RuntimeException | StackOverflowError e) {
                fail("seed " + seed + " case " + i + ": " + e + " for " + shown(text));
            }
        }
    }

    /** Reads {@code text}; a template has every expression evaluated. The refusal's message, or "". */
    private static String check(String file, String text, long seed, int i) {
        try {
            PackerTemplate t = PackerTemplate.parse(Path.of(file), text);
            StaticEvaluator ev = t.evaluator(Map.of()).withEnvironment(Map.of());
            for (Expression e : expressions(t)) {
                assertThat(ev.evaluate(e)).isNotNull();
            }
            return "";
        } catch (TemplateException e) {
            assertWellFormed(e, file, seed, i, text);
            return e.getMessage();
        } catch (RuntimeException | StackOverflowError e) {
            return fail("seed " + seed + " case " + i + ": " + e + " for " + shown(text));
        }
    }

    private static void assertWellFormed(TemplateException e, String file, long seed, int i, String text) {
        assertThat(e.problems()).as("seed %d case %d: %s", seed, i, shown(text)).isNotEmpty();
        for (TemplateProblem p : e.problems()) {
            assertThat(p.describe()).as("seed %d case %d", seed, i).startsWith(file).doesNotContain("Exception")
                    .doesNotContain("\tat ");
        }
    }

    private static List<Expression> expressions(PackerTemplate t) {
        List<Expression> out = new ArrayList<>();
        t.variables().forEach(v -> {
            if (v.defaultValue() != null) {
                out.add(v.defaultValue());
            }
        });
        t.locals().forEach(l -> out.add(l.value()));
        t.sources().forEach(s -> s.body().attributes().forEach(a -> out.add(a.value())));
        t.builds().forEach(b -> b.provisioners().forEach(p -> p.body().attributes().forEach(a -> out.add(a.value()))));
        return out;
    }

    private static String shown(String text) {
        String s = text.length() > 300 ? text.substring(0, 300) + "..." : text;
        return "'" + s.replace("\n", "\\n") + "'";
    }
}
