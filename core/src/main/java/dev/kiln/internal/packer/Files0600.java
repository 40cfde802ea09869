package dev.kiln.internal.packer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/** Files only their owner can read: var-files (they hold secrets) and build logs, in directories only they can enter. */
final class Files0600 {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    private Files0600() {
    }

    /**
     * Writes {@code variables} as a packer var-file in {@code dir}, created 0600 before any byte is
     * written. The name ends in {@code .json} so packer reads it as JSON for HCL templates too.
     */
    static Path writeVarFile(Path dir, String prefix, Map<String, ?> variables) throws IOException {
        Path file = POSIX
                ? Files.createTempFile(dir, prefix, ".json", attribute())
                : Files.createTempFile(dir, prefix, ".json");
        try {
            Files.writeString(file, json(variables), StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return file;
    }

    /** An empty file in {@code dir} only its owner can read, for a command's output to go to. */
    static Path createTempFile(Path dir, String prefix, String suffix) throws IOException {
        return POSIX ? Files.createTempFile(dir, prefix, suffix, attribute()) : Files.createTempFile(dir, prefix, suffix);
    }

    /** Opens {@code file} for appending, creating it 0600 (and its directory) when missing. */
    static Writer openLog(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        if (POSIX && !Files.exists(file)) {
            try {
                Files.createFile(file, attribute());
            } catch (FileAlreadyExistsException e) {
                // another attempt created it first; append to it
            }
        }
        OpenOption[] options = {StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE};
        return Files.newBufferedWriter(file, StandardCharsets.UTF_8, options);
    }

    /**
     * Creates {@code dir} and its missing parents 0700, whatever the umask: a run's job and preflight
     * directories hold logs and packer's workspaces, which are nobody else's business.
     */
    static void createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return;
        }
        Path parent = absolute.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            if (POSIX) {
                Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
                // the umask may have taken bits away, never added them; set exactly
                Files.setPosixFilePermissions(absolute, OWNER_ONLY_DIR);
            } else {
                Files.createDirectory(absolute);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(absolute)) {
                throw e;
            }
        }
    }

    private static String json(Map<String, ?> variables) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(variables);
        } catch (JsonProcessingException e) {
            // Kiln's value types only: cannot happen, and the message would hold values, so it is not kept.
            throw new IllegalStateException("could not write variables as JSON");
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute() {
        return PosixFilePermissions.asFileAttribute(OWNER_ONLY);
    }
}
