package dev.kiln.internal.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a run's journal records of a template, so a build can be traced to the exact text it ran:
 * the template's content hash and, when it lies in a git repository, the commit checked out. Reads
 * {@code .git} itself: Kiln runs no git, and a repository it cannot read just has no commit recorded.
 */
final class TemplateOrigin {

    private TemplateOrigin() {
    }

    /**
     * The SHA-256 of a template: of the file, or, for a folder template, of each of its
     * {@code *.pkr.hcl} and {@code *.pkr.json} files' name and content in name order.
     */
    static String sha256(Path template) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
        if (Files.isDirectory(template)) {
            List<Path> files;
            try (Stream<Path> s = Files.list(template)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".pkr.hcl")
                        || p.getFileName().toString().endsWith(".pkr.json")).sorted().toList();
            }
            for (Path f : files) {
                digest.update((f.getFileName() + "\n").getBytes(StandardCharsets.UTF_8));
                digest.update(Files.readAllBytes(f));
            }
        } else {
            digest.update(Files.readAllBytes(template));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The commit checked out in the git repository holding {@code template}, if it is in one Kiln can read. */
    static Optional<String> gitCommit(Path template) {
        try {
            for (Path d = template.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
                Path git = d.resolve(".git");
                if (Files.isRegularFile(git)) {
                    // a worktree or submodule: "gitdir: <path>"
                    String line = Files.readString(git).strip();
                    if (!line.startsWith("gitdir:")) {
                        return Optional.empty();
                    }
                    return head(d.resolve(line.substring("gitdir:".length()).strip()));
                }
                if (Files.isDirectory(git)) {
                    return head(git);
                }
            }
            return Optional.empty();
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> head(Path gitDir) throws IOException {
        String head = Files.readString(gitDir.resolve("HEAD")).strip();
        if (!head.startsWith("ref:")) {
            return Optional.of(head);
        }
        String ref = head.substring("ref:".length()).strip();
        // a worktree's branches live in the common directory
        Path common = Files.isRegularFile(gitDir.resolve("commondir"))
                ? gitDir.resolve(Files.readString(gitDir.resolve("commondir")).strip()).normalize() : gitDir;
        for (Path dir : List.of(gitDir, common)) {
            Path loose = dir.resolve(ref);
            if (Files.isRegularFile(loose)) {
                return Optional.of(Files.readString(loose).strip());
            }
        }
        Path packed = common.resolve("packed-refs");
        if (Files.isRegularFile(packed)) {
            for (String line : Files.readAllLines(packed)) {
                if (line.endsWith(" " + ref)) {
                    return Optional.of(line.substring(0, line.indexOf(' ')));
                }
            }
        }
        return Optional.empty();
    }
}
