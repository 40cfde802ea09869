package dev.kiln.internal.packer;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Copies of a template's directory. packer resolves a template's relative paths (provisioner
 * scripts, {@code file} sources, output directories, manifests) against its working directory, so a
 * build runs in a copy of the directory the template lives in: the run's snapshot, taken once at
 * preflight so that editing the template during a run changes no build already planned, then copied
 * again for every build attempt, so that parallel builds cannot overwrite each other's files.
 */
final class TemplateSnapshots {

    /** Beyond this a template's directory is not a template's directory but a repository or a home. */
    static final int MAX_FILES = 5_000;
    static final long MAX_BYTES = 256L * 1024 * 1024;

    private TemplateSnapshots() {
    }

    /**
     * A copy of a template's directory and where the template is in it.
     *
     * @param source    the directory copied (the template's, or the folder template itself)
     * @param directory the copy
     * @param template  the template (file or folder) within the copy
     */
    record Snapshot(Path source, Path directory, Path template) {

        /** A fresh copy of this snapshot at {@code into}, for one build attempt. */
        Snapshot copyTo(Path into) throws IOException {
            copyTree(directory, into, null);
            return new Snapshot(source, into, into.resolve(directory.relativize(template)));
        }
    }

    /** The directory a template runs from: a folder template's own, a file's parent. */
    static Path sourceOf(Path template) {
        Path t = template.toAbsolutePath().normalize();
        return Files.isDirectory(t) ? t : t.getParent();
    }

    /**
     * Snapshots {@code template}'s directory into {@code into}, leaving out {@code .git} and, when
     * they lie inside it, the run's directory {@code run} and the runs directory holding it.
     *
     * @throws IOException when it cannot be read or written, or is larger than a template's directory
     *                     should be (its message says which and what to do)
     */
    static Snapshot take(Path template, Path into, Path run) throws IOException {
        Path t = template.toAbsolutePath().normalize();
        Path source = sourceOf(t);
        long[] size = new long[2];
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return !dir.equals(source) && skipped(dir, run) ? FileVisitResult.SKIP_SUBTREE
                        : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                size[0]++;
                size[1] += attrs.size();
                if (size[0] > MAX_FILES || size[1] > MAX_BYTES) {
                    throw new IOException(source + " (the directory of template " + t + ") holds more than "
                            + MAX_FILES + " files or " + (MAX_BYTES >> 20) + " MiB; Kiln copies the template's"
                            + " directory for every build so that relative paths work and builds cannot overwrite"
                            + " each other's files: give the template a directory of its own, with the scripts"
                            + " and files it reads");
                }
                return FileVisitResult.CONTINUE;
            }
        });
        copyTree(source, into, run);
        return new Snapshot(source, into, into.resolve(source.relativize(t)));
    }

    /** {@code .git}, the run's directory and the runs directory holding it (earlier runs' files). */
    private static boolean skipped(Path dir, Path run) {
        Path name = dir.getFileName();
        if (name != null && name.toString().equals(".git")) {
            return true;
        }
        if (run == null) {
            return false;
        }
        Path d = dir.toAbsolutePath().normalize();
        Path r = run.toAbsolutePath().normalize();
        return d.equals(r) || d.equals(r.getParent());
    }

    private static void copyTree(Path from, Path to, Path runs) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(from) && skipped(dir, runs)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                // private like the rest of the run's directory: a template's directory may hold secrets
                Files0600.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                // Attributes too: a script's execute bit is what lets packer run it.
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
