package dev.kiln.internal.packer;

import dev.kiln.KilnException;
import dev.kiln.packer.PackerVersion;
import dev.kiln.plan.PackerPins;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Installed packer plugins, in both layouts packer uses: a bare {@code packer-plugin-NAME} in a
 * plugin directory (packer 1.7), and
 * {@code github.com/hashicorp/NAME/packer-plugin-NAME_vX.Y.Z_x5.0_linux_amd64} with a
 * {@code _SHA256SUM} file beside it (packer 1.8 and later, {@code packer init}).
 */
final class Plugins {

    private static final Pattern VERSIONED = Pattern.compile(
            "packer-plugin-([a-z0-9-]+?)_v(\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?)_(x\\d+\\.\\d+)_([a-z0-9]+)_([a-z0-9]+)(\\.exe)?");
    private static final Pattern BARE = Pattern.compile("packer-plugin-([a-z0-9-]+)(\\.exe)?");
    private static final int MAX_DEPTH = 6;

    /**
     * One installed plugin binary.
     *
     * @param name          NAME of {@code packer-plugin-NAME}
     * @param version       from the file name, or asked from the binary; empty when unknown
     * @param binary        the executable
     * @param recordedSha256 the digest its {@code _SHA256SUM} file records, if it has one
     */
    record Installed(String name, Optional<PackerVersion> version, Path binary, Optional<String> recordedSha256) {
    }

    private Plugins() {
    }

    /** Every plugin binary under {@code dirs} built for this machine's OS and architecture. */
    static List<Installed> scan(List<Path> dirs) {
        List<Installed> found = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir, MAX_DEPTH)) {
                files.filter(Files::isRegularFile).forEach(f -> read(f).ifPresent(found::add));
            } catch (IOException | UncheckedIOException e) {
                // An unreadable directory holds no plugin we can vouch for; the pin check reports it missing.
            }
        }
        return found;
    }

    /** The plugin a file is, if its name is a plugin binary's name for this platform. */
    static Optional<Installed> read(Path file) {
        String fileName = file.getFileName().toString();
        Matcher v = VERSIONED.matcher(fileName);
        if (v.matches()) {
            if (!v.group(4).equals(goOs()) || !v.group(5).equals(goArch())) {
                return Optional.empty();
            }
            return Optional.of(new Installed(v.group(1), Optional.of(PackerVersion.parse(v.group(2))), file,
                    recordedSha256(file)));
        }
        Matcher b = BARE.matcher(fileName);
        if (b.matches()) {
            return Optional.of(new Installed(b.group(1), Optional.empty(), file, Optional.empty()));
        }
        return Optional.empty();
    }

    /** The plugin binaries {@code packer plugins installed} lists, one absolute path a line. */
    static List<Installed> fromInstalledListing(List<String> lines) {
        List<Installed> found = new ArrayList<>();
        for (String line : lines) {
            String s = line.strip();
            if (s.isEmpty() || !s.contains("packer-plugin-")) {
                continue;
            }
            try {
                read(Path.of(s)).ifPresent(found::add);
            } catch (InvalidPathException e) {
                // not a path: a warning packer printed among the listing
            }
        }
        return found;
    }

    /** The version a plugin binary reports through {@code describe}, in its JSON answer. */
    static Optional<PackerVersion> versionFromDescribe(List<String> output) {
        Pattern version = Pattern.compile("\"version\"\\s*:\\s*\"v?([^\"]+)\"");
        for (String line : output) {
            Matcher m = version.matcher(line);
            if (m.find()) {
                try {
                    return Optional.of(PackerVersion.parse(m.group(1)));
                } catch (KilnException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Whether {@code pin} names this plugin's version, written with or without a leading v. */
    static boolean matchesVersion(PackerPins.PluginPin pin, Installed plugin) {
        if (pin.version() == null || pin.version().isBlank()) {
            return true;
        }
        return plugin.version().map(v -> v.equals(PackerVersion.parse(pin.version()))).orElse(false);
    }

    static String goOs() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("win")) {
            return "windows";
        }
        if (os.contains("mac") || os.contains("darwin")) {
            return "darwin";
        }
        if (os.contains("freebsd")) {
            return "freebsd";
        }
        return "linux";
    }

    static String goArch() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> arch;
        };
    }

    private static Optional<String> recordedSha256(Path binary) {
        Path sum = binary.resolveSibling(binary.getFileName().toString().replaceFirst("\\.exe$", "") + "_SHA256SUM");
        if (!Files.isRegularFile(sum)) {
            return Optional.empty();
        }
        try {
            String text = Files.readString(sum, StandardCharsets.UTF_8).strip();
            String first = text.isEmpty() ? "" : text.split("\\s+")[0];
            return first.matches("[0-9a-fA-F]{64}") ? Optional.of(first.toLowerCase(Locale.ROOT)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
