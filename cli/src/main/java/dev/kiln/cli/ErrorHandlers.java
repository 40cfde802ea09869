package dev.kiln.cli;

import dev.kiln.KilnException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import picocli.CommandLine;

/**
 * How {@code kiln} fails: bad input is one paragraph on standard error and exit status 2; Kiln's
 * own failures ({@link KilnException}) are their message; anything else is one line naming the
 * file that holds the full trace. Never a stack trace on the terminal.
 */
final class ErrorHandlers {

    private ErrorHandlers() {
    }

    /** Bad flags and arguments: picocli's message, then where help is. */
    static final class Parameters implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException ex, String[] args) {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            StringBuilder sb = new StringBuilder(prefix(cmd)).append(ex.getMessage().strip());
            if (!sb.toString().endsWith(".")) {
                sb.append('.');
            }
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                sb.append(" Did you mean ").append(String.join(" or ", u.getSuggestions())).append('?');
            }
            sb.append(" See '").append(cmd.getCommandSpec().qualifiedName()).append(" --help'.");
            err.println(sb);
            err.flush();
            return ExitCode.USAGE;
        }
    }

    /** Exceptions from a command. */
    static final class Execution implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
            PrintWriter err = cmd.getErr();
            if (ex instanceof KilnException || ex instanceof UsageException) {
                err.println(prefix(cmd) + ex.getMessage());
                err.flush();
                return ExitCode.USAGE;
            }
            Path trace = writeTrace(ex);
            err.println(prefix(cmd) + "unexpected " + ex.getClass().getSimpleName() + ": " + ex.getMessage()
                    + (trace == null ? "" : " (full trace in " + trace + ")"));
            err.flush();
            return ExitCode.INTERNAL;
        }
    }

    static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName() + ": ";
    }

    /** Writes the trace of an unexpected failure to a file in the temporary directory. */
    static Path writeTrace(Throwable ex) {
        StringWriter sw = new StringWriter();
        ex.printStackTrace(new PrintWriter(sw));
        try {
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            Path file = Files.createTempFile("kiln-error-" + stamp + "-", ".txt");
            Files.writeString(file, sw.toString(), StandardCharsets.UTF_8);
            return file;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
