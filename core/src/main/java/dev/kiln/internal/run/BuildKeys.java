package dev.kiln.internal.run;

import dev.kiln.internal.plan.Values;
import dev.kiln.plan.BuildJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * What makes two builds the same build: the job (image, target, environment), the template's
 * content, the build selected, the variables and the builder fields Kiln sets. Two runs submitting the same key build once.
 */
final class BuildKeys {

    private BuildKeys() {
    }

    /** The key of {@code job}, its template read once into {@code templates} (null: unreadable): builds share a few. */
    static String of(BuildJob job, Map<Path, byte[]> templates) {
        MessageDigest sha = sha256();
        update(sha, job.id().value());
        update(sha, job.image().builderType());
        update(sha, job.connection().build());
        Path template = job.image().template();
        byte[] content = templates.computeIfAbsent(template, t -> {
            try {
                return Files.readAllBytes(t);
            } catch (IOException e) {
                return null;
            }
        });
        if (content != null) {
            sha.update(content);
        } else {
            update(sha, "unreadable:" + template);
        }
        for (Map.Entry<String, Object> v : new TreeMap<>(job.connection().variables()).entrySet()) {
            update(sha, v.getKey());
            update(sha, Values.show(v.getValue()));
        }
        for (Map.Entry<String, Object> f : new TreeMap<>(job.connection().fields()).entrySet()) {
            update(sha, f.getKey());
            update(sha, Values.show(f.getValue()));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void update(MessageDigest sha, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        sha.update((byte) (bytes.length >>> 8));
        sha.update((byte) bytes.length);
        sha.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
