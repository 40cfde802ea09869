package dev.kiln.internal.template;

import dev.kiln.template.PackerTemplate;
import dev.kiln.template.TemplateBody;
import dev.kiln.template.TemplateException;
import dev.kiln.template.TemplateProblem;
import dev.kiln.template.VariableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Reads a template from a file or folder, choosing the reader by what it is; throws every problem at once. */
public final class TemplateReader {

    static final String SUBJECT = "Packer template";

    private TemplateReader() {
    }

    public static PackerTemplate read(Path path) {
        List<TemplateProblem> problems = new ArrayList<>();
        PackerTemplate template;
        if (Files.isDirectory(path)) {
            template = folder(path, problems);
        } else if (!Files.exists(path)) {
            throw new TemplateException(SUBJECT, List.of(Messages.missing(path)));
        } else {
            template = file(path, () -> text(path), problems);
        }
        if (!problems.isEmpty()) {
            throw new TemplateException(SUBJECT, inFileOrder(problems));
        }
        return template;
    }

    /** Problems by file, line and column, so a reader fixes them top down. */
    static List<TemplateProblem> inFileOrder(List<TemplateProblem> problems) {
        return problems.stream().sorted(Comparator
                .comparing((TemplateProblem p) -> String.valueOf(p.position().file()))
                .thenComparingInt(p -> p.position().line())
                .thenComparingInt(p -> p.position().column())).toList();
    }

    public static PackerTemplate parse(Path file, String text) {
        List<TemplateProblem> problems = new ArrayList<>();
        PackerTemplate template = file(file, () -> text, problems);
        if (!problems.isEmpty()) {
            throw new TemplateException(SUBJECT, inFileOrder(problems));
        }
        return template;
    }

    /** A file's content, or the problem that stops it being read. */
    interface Content {
        String text() throws TemplateException;
    }

    private static PackerTemplate file(Path file, Content content, List<TemplateProblem> problems) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (name.endsWith(".pkr.json")) {
            throw new TemplateException(SUBJECT, List.of(Messages.hclJson(file)));
        }
        Source src = new Source(file, content.text());
        if (name.endsWith(".json")) {
            try {
                return JsonTemplates.read(src, problems);
            } catch (SyntaxError e) {
                throw new TemplateException(SUBJECT, List.of(e.problem()));
            }
        }
        if (!name.endsWith(".hcl")) {
            throw new TemplateException(SUBJECT, List.of(Messages.unknownExtension(file)));
        }
        List<TemplateBody> bodies = new ArrayList<>();
        parseHcl(src, bodies, problems);
        return HclTemplates.read(file, List.of(file), bodies, List.of(), problems);
    }

    private static PackerTemplate folder(Path folder, List<TemplateProblem> problems) {
        List<Path> entries;
        try (Stream<Path> list = Files.list(folder)) {
            entries = list.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new TemplateException(SUBJECT, List.of(Messages.cannotRead(folder, reason(e))));
        }
        List<Path> files = entries.stream().filter(p -> p.getFileName().toString().endsWith(".pkr.hcl")).toList();
        for (Path p : entries) {
            if (p.getFileName().toString().endsWith(".pkr.json")) {
                problems.add(Messages.hclJson(p));
            }
        }
        if (files.isEmpty() && problems.isEmpty()) {
            problems.add(Messages.emptyFolder(folder));
        }
        List<TemplateBody> bodies = new ArrayList<>();
        for (Path file : files) {
            try {
                parseHcl(new Source(file, text(file)), bodies, problems);
            } catch (TemplateException e) {
                problems.addAll(e.problems());
            }
        }
        List<VariableFile> auto = new ArrayList<>();
        for (Path p : entries) {
            if (p.getFileName().toString().endsWith(".auto.pkrvars.hcl")) {
                try {
                    auto.add(VariableFiles.read(p));
                } catch (TemplateException e) {
                    problems.addAll(e.problems());
                }
            }
        }
        return HclTemplates.read(folder, files, bodies, auto, problems);
    }

    private static void parseHcl(Source src, List<TemplateBody> bodies, List<TemplateProblem> problems) {
        try {
            bodies.add(new HclParser(src).parseFile());
        } catch (SyntaxError e) {
            problems.add(e.problem());
        }
    }

    /** The file's text, strictly UTF-8. */
    static String text(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TemplateException(SUBJECT, List.of(Messages.missing(file)));
        } catch (IOException e) {
            throw new TemplateException(SUBJECT, List.of(Messages.cannotRead(file, reason(e))));
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new TemplateException(SUBJECT, List.of(Messages.notUtf8(file, in.position())));
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    static String reason(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
