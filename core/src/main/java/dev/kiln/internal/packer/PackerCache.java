package dev.kiln.internal.packer;

import dev.kiln.internal.plan.Values;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What packer told Kiln that holds until its inputs change, kept under the runs directory so that
 * the next run need not ask again: the version of each packer binary, and the {@code packer
 * validate} runs that passed.
 *
 * <p>A version is recorded under the binary's real path, size and modification time. A pass is recorded under the SHA-256 of everything that decides it: packer (its real path,
 * size, modification time and version) and the plugins it can find, every file of the template's
 * snapshot (the directory packer validates from), the builder fields Kiln sets in it, the template
 * file and the build {@code -only=} selects, the values of the variables the template declares (a
 * value it does not declare cannot change the verdict; its name is still counted; the image name,
 * build id and run id each run makes anew count by their shape, see {@code Validations.shaped}), the whole
 * environment packer is given, and each absolute path the template's text names (whether it exists,
 * its size and modification time). Change any of them and the template is validated again.
 * Secrets enter only the hash: the cache, one file {@code .kiln-cache} of the runs directory, holds
 * hashes and packer versions and nothing else.
 * A failure is never recorded: it is found again, with packer's own words, every time.
 */
final class PackerCache {

    private static final Logger LOG = LoggerFactory.getLogger(PackerCache.class);
    /**
     * A file of the runs directory, not a directory: whatever lists the runs directory's directories
     * (teams' scripts among them) sees runs only.
     */
    static final String FILE = ".kiln-cache";
    /** The newest entries kept: a cache of passes needs no history. */
    static final int MAX_ENTRIES = 2_000;
    private static final String PASSED = "validated ";
    private static final String VERSION = "packer ";
    /** Changes when what the key covers changes, so an older Kiln's passes are not taken for this one's. */
    private static final String KEY_VERSION = "kiln-validate-1";
    /** A quoted absolute path in a template's text: a script, a key file, an ISO packer checks exists. */
    private static final Pattern ABSOLUTE_PATH = Pattern.compile("\"(/[^\"\\s$]{1,4096})\"");

    private final Path file;
    /** The file's entries as read, with this cache's own added. */
    private final Set<String> entries;

    private PackerCache(Path file) {
        this.file = file;
        this.entries = new LinkedHashSet<>(read(file));
    }

    /**
     * The cache of the runs directory holding {@code runDirectory}, or of the directory the runner
     * was given for it, as its file says now.
     */
    static PackerCache of(Path runDirectory, RunnerSettings settings) {
        if (settings.cacheDirectory() != null) {
            return new PackerCache(settings.cacheDirectory().toAbsolutePath().normalize().resolve(FILE));
        }
        Path runs = runDirectory.toAbsolutePath().normalize().getParent();
        return new PackerCache((runs == null ? runDirectory.toAbsolutePath() : runs).resolve(FILE));
    }

    /** Whether a validation with this key passed before. */
    boolean passed(String key) {
        return entries.contains(PASSED + key);
    }

    /** Records that the validation with this key passed; a cache that cannot be written is only a slower next run. */
    void recordPass(String key) {
        record(PASSED + key);
    }

    /** The version packer said it was, when the binary of this {@link #fileIdentity identity} was asked before. */
    Optional<String> version(String identity) {
        String prefix = VERSION + hash(identity) + " ";
        String found = null;
        for (String e : entries) {
            if (e.startsWith(prefix)) {
                found = e.substring(prefix.length()).strip();
            }
        }
        return Optional.ofNullable(found).filter(v -> !v.isEmpty());
    }

    /** Records the version of the binary of this identity. */
    void recordVersion(String identity, String version) {
        record(VERSION + hash(identity) + " " + version);
    }

    /**
     * Adds an entry to the file, merged with what other runs wrote since it was read, whole or not
     * at all (written aside, then moved over it). Two runs writing at once may lose one's entry: it
     * is only asked for again.
     */
    private synchronized void record(String entry) {
        entries.add(entry);
        Set<String> merged = new LinkedHashSet<>(read(file));
        merged.remove(entry);
        merged.add(entry);
        List<String> kept = new ArrayList<>(merged);
        kept = kept.subList(Math.max(0, kept.size() - MAX_ENTRIES), kept.size());
        Path aside = null;
        try {
            Files0600.createDirectories(file.getParent());
            aside = Files0600.createTempFile(file.getParent(), FILE + "-", ".tmp");
            Files.write(aside, kept, StandardCharsets.UTF_8);
            Files.move(aside, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.debug("could not write {}: {}", file, e.toString());
            if (aside != null) {
                try {
                    Files.deleteIfExists(aside);
                } catch (IOException ignored) {
                    // a stray temporary file of the runs directory, 0600
                }
            }
        }
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String hash(String text) {
        return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The inputs of one {@code packer validate}, hashed into its key. */
    record Inputs(String packer, String snapshot, String fields, String build, Map<String, ?> declared,
                  List<String> undeclared, Map<String, String> environment, String referencedPaths) {
    }

    static String key(Inputs in) {
        MessageDigest sha = sha256();
        field(sha, KEY_VERSION);
        field(sha, in.packer());
        field(sha, in.snapshot());
        field(sha, in.fields());
        field(sha, in.build());
        new TreeMap<>(in.declared()).forEach((k, v) -> {
            field(sha, k);
            field(sha, Values.show(v));
        });
        field(sha, "\u0001");
        in.undeclared().stream().sorted().forEach(n -> field(sha, n));
        field(sha, "\u0002");
        new TreeMap<>(in.environment()).forEach((k, v) -> {
            field(sha, k);
            field(sha, v);
        });
        field(sha, in.referencedPaths());
        return HexFormat.of().formatHex(sha.digest());
    }

    /** packer and what it loads: its binary and version, its config file and every plugin it could find. */
    static String packerIdentity(Path exe, String version, List<Path> pluginDirectories) {
        StringBuilder id = new StringBuilder(version).append('\n');
        id.append(fileIdentity(exe)).append('\n');
        Path home = Path.of(System.getProperty("user.home", "/"));
        id.append(fileIdentity(home.resolve(".packerconfig"))).append('\n');
        for (Path dir : pluginDirectories) {
            plugins(dir, 4, id);
        }
        if (exe.getParent() != null) {
            // packer's own directory (often /usr/bin): only what lies in it, as packer looks
            plugins(exe.getParent(), 1, id);
        }
        return id.toString();
    }

    private static void plugins(Path dir, int depth, StringBuilder id) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> found = new ArrayList<>();
        try {
            if (depth == 1) {
                // packer's own directory is often /usr/bin, of a thousand files: their names are
                // read, and only packer's plugins are looked at, where a walk looks at every file
                try (DirectoryStream<Path> plugins = Files.newDirectoryStream(dir, "packer-*")) {
                    plugins.forEach(found::add);
                }
            } else {
                try (Stream<Path> files = Files.walk(dir, depth)) {
                    files.filter(f -> f.getFileName().toString().startsWith("packer-")).forEach(found::add);
                }
            }
        } catch (IOException | RuntimeException e) {
            id.append(dir).append(" unreadable\n");
            return;
        }
        found.stream().sorted().forEach(f -> id.append(fileIdentity(f)).append('\n'));
    }

    /** Every file of a snapshot, by its path in the snapshot and its content. */
    static String snapshotDigest(Path snapshotDirectory) throws IOException {
        MessageDigest sha = sha256();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(snapshotDirectory)) {
            files = walk.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
                    || Files.isSymbolicLink(f)).sorted().toList();
        }
        byte[] buffer = new byte[64 * 1024];
        for (Path f : files) {
            field(sha, snapshotDirectory.relativize(f).toString());
            if (Files.isSymbolicLink(f)) {
                field(sha, "-> " + Files.readSymbolicLink(f));
                continue;
            }
            try (InputStream in = Files.newInputStream(f)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                }
            }
            field(sha, Files.isExecutable(f) ? "x" : "-");
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Each quoted absolute path in the template's files: whether it is there, its size and modification time. */
    static String referencedPaths(List<Path> templateFiles) throws IOException {
        StringBuilder out = new StringBuilder();
        for (Path file : templateFiles) {
            Matcher m = ABSOLUTE_PATH.matcher(Files.readString(file, StandardCharsets.UTF_8));
            while (m.find()) {
                out.append(fileIdentity(Path.of(m.group(1)))).append('\n');
            }
        }
        return out.toString();
    }

    /** A file as far as its path, the file it really is, its size and modification time tell. */
    static String fileIdentity(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return p + " " + p.toRealPath() + " " + a.size() + " " + a.lastModifiedTime().toMillis();
        } catch (IOException | RuntimeException e) {
            return p + " absent";
        }
    }

    private static void field(MessageDigest sha, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        sha.update((byte) (bytes.length >>> 24));
        sha.update((byte) (bytes.length >>> 16));
        sha.update((byte) (bytes.length >>> 8));
        sha.update((byte) bytes.length);
        sha.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
