package dev.kiln.internal.packer;

import dev.kiln.packer.Artifact;
import dev.kiln.packer.PackerEvent;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code packer -machine-readable} output: {@code timestamp,target,type,data...}, where packer
 * writes a comma inside a field as {@code %!(PACKER_COMMA)} and newlines as {@code \n}.
 */
public final class MachineReadable {

    static final String COMMA = "%!(PACKER_COMMA)";

    private static final Pattern LINE = Pattern.compile("(\\d{1,19}),([^,]*),([^,]+)(?:,(.*))?", Pattern.DOTALL);
    private static final Pattern BUILD_PREFIX = Pattern.compile("(?:==> |--> | {4})([^\\s:][^:\\n]*?): ");
    private static final Pattern FINISHED = Pattern.compile("Build '([^']+)' finished\\b.*", Pattern.DOTALL);
    private static final Pattern ERRORED = Pattern.compile("Build '([^']+)' errored(?: after [^:]*)?: (.*)", Pattern.DOTALL);

    private MachineReadable() {
    }

    static boolean isMachineReadable(String line) {
        return line != null && LINE.matcher(line).matches();
    }

    /** A field as packer meant it: commas, newlines and carriage returns restored. */
    static String unescape(String field) {
        if (field.indexOf('%') < 0 && field.indexOf('\\') < 0) {
            return field;
        }
        return field.replace(COMMA, ",").replace("\\n", "\n").replace("\\r", "\r");
    }

    /**
     * The text of a line for reading by people and patterns: the decoded message of a
     * machine-readable line, or the line itself.
     */
    static String text(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return line;
        }
        String[] data = data(m.group(4));
        if (m.group(3).equals("ui") && data.length >= 2) {
            return unescape(String.join(",", Arrays.copyOfRange(data, 1, data.length)));
        }
        return unescape(String.join(",", data));
    }

    /** Whether {@code line} is one packer prints as an error ({@code ui,error} or a build's {@code error}). */
    static boolean isErrorLine(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return false;
        }
        String type = m.group(3);
        return type.equals("error") || type.equals("ui") && m.group(4) != null && m.group(4).startsWith("error,");
    }

    /** The build a UI text is about, from its {@code ==> name:} prefix. */
    static Optional<String> buildOf(String text) {
        Matcher m = BUILD_PREFIX.matcher(text);
        return m.lookingAt() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static String[] data(String rest) {
        return rest == null ? new String[0] : rest.split(",", -1);
    }

    /**
     * Turns lines into events, assembling artifacts from their {@code artifact,N,...} lines. One per
     * stream; not thread-safe.
     */
    /** Stateful: assembles artifacts from their lines. Not thread-safe. */
    public static final class Parser {

        private final Supplier<Instant> clock;
        private final Map<String, PartialArtifact> partial = new HashMap<>();

        public Parser(Supplier<Instant> clock) {
            this.clock = clock;
        }

        /** The event a line makes, or empty while an artifact is still being assembled. */
        public Optional<PackerEvent> parse(String line) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                return Optional.of(new PackerEvent.Unparsed(clock.get(), line));
            }
            Instant at;
            try {
                at = Instant.ofEpochSecond(Long.parseLong(m.group(1)));
            } catch (NumberFormatException | DateTimeException e) {
                return Optional.of(new PackerEvent.Unparsed(clock.get(), line));
            }
            String target = m.group(2);
            String type = m.group(3);
            String[] data = data(m.group(4));
            return switch (type) {
                case "ui" -> ui(at, data, line);
                case "artifact" -> artifact(at, target, data);
                case "error" -> Optional.of(new PackerEvent.BuildErrored(at, target,
                        unescape(String.join(",", data))));
                case "error-count" -> Optional.of(new PackerEvent.BuildErrored(at, target,
                        (data.length > 0 ? data[0] : "?") + " build(s) errored"));
                default -> Optional.of(new PackerEvent.Other(at, target, type,
                        Arrays.stream(data).map(MachineReadable::unescape).toList()));
            };
        }

        private Optional<PackerEvent> ui(Instant at, String[] data, String line) {
            if (data.length < 2) {
                return Optional.of(new PackerEvent.Unparsed(at, line));
            }
            String kind = data[0];
            String text = trimNewlines(unescape(String.join(",", Arrays.copyOfRange(data, 1, data.length))));
            String build = buildOf(text).orElse("");
            switch (kind) {
                case "say" -> {
                    Matcher f = FINISHED.matcher(text);
                    if (f.matches()) {
                        return Optional.of(new PackerEvent.BuildFinished(at, f.group(1)));
                    }
                    return Optional.of(new PackerEvent.Say(at, build, text));
                }
                case "message" -> {
                    return Optional.of(new PackerEvent.Message(at, build, text));
                }
                case "error" -> {
                    Matcher e = ERRORED.matcher(text);
                    if (e.matches()) {
                        return Optional.of(new PackerEvent.BuildErrored(at, e.group(1), e.group(2)));
                    }
                    return Optional.of(new PackerEvent.Error(at, build, text));
                }
                default -> {
                    return Optional.of(new PackerEvent.Other(at, "", "ui", List.of(kind, text)));
                }
            }
        }

        private Optional<PackerEvent> artifact(Instant at, String target, String[] data) {
            if (data.length < 2) {
                return Optional.of(new PackerEvent.Other(at, target, "artifact",
                        Arrays.stream(data).map(MachineReadable::unescape).toList()));
            }
            String key = target + "#" + data[0];
            PartialArtifact a = partial.computeIfAbsent(key, k -> new PartialArtifact());
            String value = data.length > 2 ? unescape(String.join(",", Arrays.copyOfRange(data, 2, data.length))) : "";
            switch (data[1]) {
                case "builder-id" -> a.builderId = value;
                case "id" -> a.id = value;
                case "file" -> {
                    // artifact,N,file,I,name
                    if (data.length > 3) {
                        a.files.add(unescape(String.join(",", Arrays.copyOfRange(data, 3, data.length))));
                    }
                }
                case "end" -> {
                    partial.remove(key);
                    return Optional.of(new PackerEvent.ArtifactReady(at,
                            new Artifact(target, a.builderId, a.id, a.files)));
                }
                default -> {
                    // string, files-count, nil: nothing the artifact record keeps
                }
            }
            return Optional.empty();
        }

        private static String trimNewlines(String s) {
            int start = 0;
            int end = s.length();
            while (start < end && (s.charAt(start) == '\n' || s.charAt(start) == '\r')) {
                start++;
            }
            while (end > start && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
                end--;
            }
            return s.substring(start, end);
        }
    }

    private static final class PartialArtifact {
        String builderId = "";
        String id = "";
        final List<String> files = new ArrayList<>();
    }
}
