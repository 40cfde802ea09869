package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** --help on every command: complete (every option described) and exit status 0. */
class HelpTest {

    @ParameterizedTest(name = "kiln {0} --help")
    @ValueSource(strings = {"plan", "run", "quotas", "sweep", "report", "demo"})
    void every_command_describes_every_option_and_its_exit_status(String command) {
        // When
        Cli.Result r = Cli.run(command, "--help");

        // Then
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Usage: kiln " + command).contains("Exit status:");
        CommandLine.Model.CommandSpec spec = KilnCommand.commandLine(CliContext.of(System.out, System.err,
                java.util.Map.of())).getSubcommands().get(command).getCommandSpec();
        for (CommandLine.Model.OptionSpec o : spec.options()) {
            assertThat(o.description()).as("description of %s %s", command, o.longestName()).isNotEmpty();
            assertThat(String.join(" ", o.description())).isNotBlank();
            assertThat(r.out()).contains(o.longestName());
        }
        for (CommandLine.Model.PositionalParamSpec p : spec.positionalParameters()) {
            assertThat(p.description()).as("description of %s %s", command, p.paramLabel()).isNotEmpty();
        }
    }

    @ParameterizedTest(name = "kiln help {0}")
    @ValueSource(strings = {"plan", "run"})
    void help_command_shows_the_same(String command) {
        assertThat(Cli.run("help", command).out()).isEqualTo(Cli.run(command, "--help").out());
    }
}
