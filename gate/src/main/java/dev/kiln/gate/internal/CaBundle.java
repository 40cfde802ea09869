package dev.kiln.gate.internal;

import dev.kiln.gate.GateException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes the PEM bundle packer's {@code SSL_CERT_FILE} names: system roots, then the gate's CA. */
final class CaBundle {

    static final String FILE_NAME = "kiln-gate-ca-bundle.pem";

    private CaBundle() {
    }

    static Path write(Path directory, Path systemRoots, String caPem) {
        try {
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            StringBuilder bundle = new StringBuilder();
            if (Files.isRegularFile(systemRoots)) {
                String roots = Files.readString(systemRoots, StandardCharsets.ISO_8859_1);
                bundle.append(roots);
                if (!roots.endsWith("\n")) {
                    bundle.append('\n');
                }
            }
            bundle.append("# Kiln gate CA: valid for this run only; its key was never written anywhere\n").append(caPem);
            // Absolute: packer runs in a directory of its own, and Go reads a relative SSL_CERT_FILE
            // from there (Kiln's runs directory is relative by default: kiln-runs).
            Path target = directory.toAbsolutePath().resolve(FILE_NAME);
            Path temp = Files.createTempFile(directory, ".kiln-gate-ca", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(temp, bundle, StandardCharsets.ISO_8859_1);
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
            return target;
        } catch (IOException | UnsupportedOperationException e) {
            throw new GateException("the gate could not write its CA bundle in " + directory + " (" + e
                    + "); give Gate.Builder.bundleDirectory a writable directory on a POSIX file system", e);
        }
    }
}
