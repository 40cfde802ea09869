package dev.kiln.internal.packer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.packer.Artifact;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The file packer's {@code manifest} post-processor writes, when a template writes it into the
 * workspace under one of the usual names. A workspace may hold one from an earlier attempt, so
 * only a file written during this build counts, and in it only the builds of packer's last run.
 */
final class Manifest {

    static final List<String> NAMES = List.of("packer-manifest.json", "manifest.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<Path, Optional<FileTime>> before = new HashMap<>();

    private Manifest() {
    }

    /** Notes the manifests already in {@code workspace} before the build starts. */
    static Manifest before(Path workspace) {
        Manifest m = new Manifest();
        for (String name : NAMES) {
            Path file = workspace.resolve(name);
            m.before.put(file, modified(file));
        }
        return m;
    }

    /** Artifacts of manifests written since {@link #before}; unreadable files count as none. */
    List<Artifact> artifacts() {
        List<Artifact> out = new ArrayList<>();
        for (Map.Entry<Path, Optional<FileTime>> e : before.entrySet()) {
            Optional<FileTime> now = modified(e.getKey());
            if (now.isPresent() && !now.equals(e.getValue())) {
                out.addAll(read(e.getKey()));
            }
        }
        return out;
    }

    static List<Artifact> read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            return List.of();
        }
        String lastRun = root.path("last_run_uuid").asText("");
        List<Artifact> out = new ArrayList<>();
        for (JsonNode build : root.path("builds")) {
            if (!lastRun.isEmpty() && !lastRun.equals(build.path("packer_run_uuid").asText(""))) {
                continue;
            }
            List<String> files = new ArrayList<>();
            for (JsonNode f : build.path("files")) {
                String name = f.path("name").asText("");
                if (!name.isEmpty()) {
                    files.add(name);
                }
            }
            out.add(new Artifact(build.path("name").asText(""), build.path("builder_type").asText(""),
                    build.path("artifact_id").asText(""), files));
        }
        return out;
    }

    /**
     * The stream's artifacts, then the manifest's that the stream did not report. The manifest
     * names a build {@code box} where an HCL stream says {@code null.box}, and gives a builder type
     * where the stream gives a builder id, so an artifact is the same when build and id agree.
     */
    static List<Artifact> merge(List<Artifact> stream, List<Artifact> manifest) {
        LinkedHashSet<Artifact> out = new LinkedHashSet<>(stream);
        for (Artifact m : manifest) {
            boolean known = stream.stream().anyMatch(s -> s.id().equals(m.id())
                    && (s.buildName().equals(m.buildName()) || s.buildName().endsWith("." + m.buildName())));
            if (!known) {
                out.add(m);
            }
        }
        return List.copyOf(out);
    }

    private static Optional<FileTime> modified(Path file) {
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.getLastModifiedTime(file)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
