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
        // Given a template whose variable is a number, and a plan that gives it "many"
        Tools.packer();
        Path plans = Cli.plans(dir);

        // When
        Cli.Result r = Cli.run("plan", "--offline", plans.resolve("typed-variable.yaml").toString());

        // Then
        assertThat(r.exit()).as("%s", r).isEqualTo(ExitCode.USAGE);
        assertThat(r.out()).contains("TEMPLATE_INVALID")
                .contains("Error: Invalid value for variable: in variable copies (variables.copies of image 'one', ")
                .contains("typed-variable.yaml:8:5): The value for copies is not compatible with the variable's type"
                        + " constraint: a number is required.")
                .doesNotContain(".kiln-validate").doesNotContain("line 1:")
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
                .contains("Warning: Undefined variable").contains("A \"kiln_build_id\" variable was set")
                .doesNotContain(".kiln-validate");
    }
}
