package dev.kiln.internal.packer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.packer.FailureClassifier;
import dev.kiln.packer.PackerEvent;
import dev.kiln.packer.Redactor;
import dev.kiln.spi.BuildExit;
import dev.kiln.testing.Cases;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Whatever packer prints, Kiln reads it: generated machine-readable streams (real line shapes with
 * hostile fields, truncated and overlong lines, garbage, separators of every kind) go through the
 * line reader, the redactor, the machine-readable parser and the failure classifier, as a running
 * build does, without an exception, and no planted secret survives redaction.
 */
class PackerStreamFuzzTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final String SECRET = "s3cr3t-planted-Value-9f8e7d";
    private static final List<String> TYPES = List.of("ui", "artifact", "artifact-count", "error-count", "error",
            "version", "version-prelease", "build", "say", "message", "", "ui,say", "ui,error", "ui,message");
    private static final List<String> FIELDS = List.of("", "0", "-1", "99999999999999999999999", "1795611656",
            "say", "error", "message", "end", "id", "builder-id", "file", "files-count", "string",
            "%!(PACKER_COMMA)", "\\n", "\\r", "\\", "Build 'box' errored: x", "Build 'box' finished.",
            "RequestLimitExceeded: Request limit exceeded.", "==> box: Waiting for SSH to become available...",
            "password=" + SECRET, "token: '" + SECRET + "'", "https://user:" + SECRET + "@host/x", SECRET,
            "Bearer " + SECRET, "\u0000", "\u001b[31m", "\uffff", "\ud800", "<script>alert(1)</script>", ",,,,",
            "mitchellh.amazonebs", "us-east-1:ami-0abc%!(PACKER_COMMA)us-west-2:ami-0def");

    private static String field(Random r) {
        return r.nextInt(6) == 0 ? Cases.anyText(r, 40) : FIELDS.get(r.nextInt(FIELDS.size()));
    }

    /** One line of output: machine-readable in shape most of the time, with hostile fields. */
    private static String line(Random r) {
        switch (r.nextInt(10)) {
            case 0:
                return Cases.anyText(r, 200);
            case 1:
                return "2026/11/25 13:00:59 packer-builder-amazon-ebs plugin: " + field(r);
            case 2:
                // over the limit now and then (dropped whole); long lines are otherwise kept short, as
                // the classifier tries each of its patterns at every position of every line
                return "x".repeat(r.nextInt(50) == 0 ? BoundedLines.MAX_LINE + r.nextInt(100) : r.nextInt(300));
            default:
                StringBuilder b = new StringBuilder(r.nextBoolean() ? "1795611656" : field(r));
                b.append(',').append(r.nextBoolean() ? "" : r.nextBoolean() ? "box" : field(r));
                b.append(',').append(TYPES.get(r.nextInt(TYPES.size())));
                int n = r.nextInt(7);
                for (int i = 0; i < n; i++) {
                    b.append(',').append(field(r));
                }
                return b.toString();
        }
    }

    /** A stream of lines with LF, CR, CRLF or no terminator at the end. */
    private static String stream(Random r) {
        StringBuilder b = new StringBuilder();
        int lines = 1 + r.nextInt(12);
        for (int i = 0; i < lines; i++) {
            b.append(line(r));
            if (i < lines - 1 || r.nextBoolean()) {
                b.append(switch (r.nextInt(4)) {
                    case 0 -> "\r";
                    case 1 -> "\r\n";
                    default -> "\n";
                });
            }
        }
        return b.toString();
    }

    @Test
    void any_packer_stream_is_read_redacted_parsed_and_classified_without_an_exception() {
        Redactor redactor = Redactor.standard().withSecrets(List.of(SECRET));
        Cases.check(20251126, 10_000, PackerStreamFuzzTest::stream, text -> {
            MachineReadable.Parser parser = new MachineReadable.Parser(() -> NOW);
            var filter = redactor.lineFilter();
            List<String> kept = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            try {
                BoundedLines in = new BoundedLines(new StringReader(text));
                String raw;
                while ((raw = in.readLine()) != null) {
                    assertThat(raw.length()).isLessThanOrEqualTo(BoundedLines.MAX_LINE);
                    String safe = filter.apply(raw);
                    assertThat(safe).doesNotContain(SECRET);
                    kept.add(safe);
                    // (empty: a line of an artifact still being assembled)
                    Optional<PackerEvent> event = parser.parse(safe);
                    if (event.isPresent() && event.get() instanceof PackerEvent.Error e) {
                        errors.add(e.toString());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            FailureClassifier.Diagnosis d = FailureClassifier.standard().classify(
                    new BuildExit(1, List.of(), errors, false, false, Optional.empty()), kept);
            assertThat(d.failure()).isNotNull();
            d.evidence().ifPresent(line -> assertThat(line).doesNotContain(SECRET));
        });
    }
}
