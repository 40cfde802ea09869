package dev.kiln.testing;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Enables {@link RequiresChromium} tests where chromium is installed; see there. */
public final class RequiresChromiumCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<Path> chromium = Chromium.find();
        if (chromium.isPresent()) {
            return ConditionEvaluationResult.enabled("chromium found at " + chromium.get());
        }
        String missing = "chromium not found (KILN_CHROMIUM unset or not executable, no 'chromium' on PATH)";
        if (Boolean.parseBoolean(System.getProperty(RequiresPackerCondition.REQUIRE_TOOLS, "false"))) {
            throw new IllegalStateException(missing + ", and -D" + RequiresPackerCondition.REQUIRE_TOOLS
                    + "=true says tests that need it must run: install it (Debian: apt-get install chromium)");
        }
        return ConditionEvaluationResult.disabled(missing + "; skipped. Install chromium, or set -D"
                + RequiresPackerCondition.REQUIRE_TOOLS + "=true to make this a failure");
    }
}
