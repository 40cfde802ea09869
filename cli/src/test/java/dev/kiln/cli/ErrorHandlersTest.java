package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ErrorHandlersTest {

    @Test
    void an_unexpected_failure_is_one_line_naming_the_file_with_its_trace() throws Exception {
        // Given
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine kiln = KilnCommand.commandLine(CliContext.of(System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of()));
        CommandLine run = kiln.getSubcommands().get("run");

        // When
        int code = new ErrorHandlers.Execution().handleExecutionException(
                new IllegalStateException("the loop lost a job"), run, null);

        // Then
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(ExitCode.INTERNAL);
        assertThat(text.strip()).doesNotContain("\n")
                .startsWith("kiln run: unexpected IllegalStateException: the loop lost a job (full trace in ");
        Matcher m = Pattern.compile("full trace in (\\S+)\\)").matcher(text);
        assertThat(m.find()).isTrue();
        Path trace = Path.of(m.group(1));
        assertThat(Files.readString(trace)).contains("java.lang.IllegalStateException: the loop lost a job")
                .contains("\tat dev.kiln.cli.ErrorHandlersTest");
        Files.delete(trace);
    }
}
