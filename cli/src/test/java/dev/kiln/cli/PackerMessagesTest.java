package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, packer's messages: an error about a variable names the plan's variable, never the
 * temporary var-file Kiln wrote (and deleted) for packer; {@code --verbose} shows all packer said.
 */
class PackerMessagesTest {

    @TempDir
    Path dir;

    @Test
    void a_variable_packer_rejects_is_named_as_the_plan_gives_it() {
        // Given a template whose variable must be at least 1, and a plan that gives it 0
        Tools.packer();
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run("plan", "--offline", plans.resolve("typed-variable.yaml").toString());

        // Then
        assertThat(r.exit()).as("%s", r).isEqualTo(ExitCode.USAGE);
        assertThat(r.out()).contains("TEMPLATE_INVALID")
                .contains("-only=null.one (image 'one', build one/aws/123456789012/us-east-1/dev): ")
                .contains("Error: Invalid value for varfile variable: in variable copies (variables.copies of image"
                        + " 'one', ")
                .contains("typed-variable.yaml:9:5): The copies must be at least 1.")
                .doesNotContain(".kiln-validate").doesNotContain("line 1:").doesNotContain("source code not available")
                .doesNotContain("Undefined variable").doesNotContain("kiln_build_id");
    }

    @Test
    void verbose_shows_everything_packer_said() {
        // Given
        Tools.packer();
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run("plan", "--offline", "--verbose", plans.resolve("typed-variable.yaml").toString());

        // Then
        assertThat(r.exit()).as("%s", r).isEqualTo(ExitCode.USAGE);
        assertThat(r.out()).contains("in variable copies (variables.copies of image 'one', ")
                .contains("This was checked by the validation rule at")
                .doesNotContain(".kiln-validate");
    }
}
