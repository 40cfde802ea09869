package dev.kiln.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** README's embedding snippet is the example that compiles with every build, line for line. */
class ReadmeTest {

    @Test
    void the_readme_shows_the_embedding_example_as_it_compiles() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        String readme = Files.readString(root.resolve("README.md"));
        List<String> body = Files.readAllLines(root.resolve(
                "examples/src/main/java/dev/kiln/examples/EmbeddingExample.java"));
        int from = indexOf(body, "SimulatedCloud cloud =");
        int to = indexOf(body, "System.exit(");
        for (String line : body.subList(from, to)) {
            if (!line.isBlank() && !line.trim().startsWith("//")) {
                assertThat(readme).as("README line").contains(line.trim());
            }
        }
    }

    private static int indexOf(List<String> lines, String start) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(start)) {
                return i;
            }
        }
        throw new AssertionError("no line with " + start);
    }
}
