package dev.kiln.internal.run;

import dev.kiln.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;

/** Directories of a run: readable by their owner alone, as packer's workspaces and logs may hold secrets. */
final class PrivateDirectories {

    private PrivateDirectories() {
    }

    /** Creates {@code dir} and every missing parent 0700: jobs/ and jobs/&lt;job&gt;/ too, not only the leaf. */
    static void create(Path dir) {
        try {
            Path absolute = dir.toAbsolutePath();
            Deque<Path> missing = new ArrayDeque<>();
            for (Path d = absolute; d != null && !Files.isDirectory(d); d = d.getParent()) {
                missing.push(d);
            }
            Files.createDirectories(absolute);
            boolean posix = Files.getFileAttributeView(absolute, PosixFileAttributeView.class) != null;
            if (posix) {
                missing.add(absolute);
                for (Path d : missing) {
                    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
                }
            }
        } catch (IOException e) {
            throw new KilnException("cannot create the run directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
