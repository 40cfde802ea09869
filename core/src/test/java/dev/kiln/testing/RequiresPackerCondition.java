package dev.kiln.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Enables {@link RequiresPacker} tests where packer is installed; see there. */
public final class RequiresPackerCondition implements ExecutionCondition {

    static final String REQUIRE_TOOLS = "kiln.requireTools";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<Path> packer = packer();
        if (packer.isPresent()) {
            return ConditionEvaluationResult.enabled("packer found at " + packer.get());
        }
        String missing = "packer not found (KILN_PACKER unset or not executable, no 'packer' on PATH)";
        if (Boolean.parseBoolean(System.getProperty(REQUIRE_TOOLS, "false"))) {
            throw new IllegalStateException(missing + ", and -D" + REQUIRE_TOOLS
                    + "=true says tests that need it must run: install packer (Debian: apt-get install packer)");
        }
        return ConditionEvaluationResult.disabled(missing + "; skipped. Install packer, or set -D" + REQUIRE_TOOLS
                + "=true to make this a failure");
    }

    /** The packer tests run: {@code KILN_PACKER}, else the first {@code packer} on PATH. */
    public static Optional<Path> packer() {
        String env = System.getenv("KILN_PACKER");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(Pattern.quote(File.pathSeparator))) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, "packer")) && !Files.isDirectory(Path.of(dir, "packer"))) {
                return Optional.of(Path.of(dir, "packer"));
            }
        }
        return Optional.empty();
    }
}
