package dev.kiln.internal.packer;

import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.spi.Refusal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Each run's snapshot of each template's directory, by run id and template: taken at preflight,
 * then read by {@code packer validate} and by every attempt of every build. Its own class because
 * both of those read it and neither owns it.
 */
final class RunSnapshots {

    private final Map<String, TemplateSnapshots.Snapshot> snapshots = new ConcurrentHashMap<>();

    /**
     * Snapshots the directory of each template of the plan into the run's directory, once per run
     * (a resumed run keeps the snapshot it started with). A template whose directory cannot be
     * copied is refused, with its builds.
     */
    List<Refusal> take(BuildPlan plan, Path runDirectory) {
        Map<Path, List<BuildJob>> byTemplate = new LinkedHashMap<>();
        for (BuildJob j : plan.jobs()) {
            byTemplate.computeIfAbsent(key(j), k -> new ArrayList<>()).add(j);
        }
        List<Refusal> refusals = new ArrayList<>();
        // Absolute: packer runs from the snapshot's directory, where a relative runs directory means nothing
        Path root = runDirectory.toAbsolutePath().resolve("templates");
        int n = 0;
        for (Map.Entry<Path, List<BuildJob>> e : byTemplate.entrySet()) {
            Path template = e.getKey();
            Path into = root.resolve(++n + "-" + TemplateSnapshots.sourceOf(template).getFileName());
            try {
                snapshots.put(snapshotKey(plan.runId(), e.getValue().get(0)), Files.isDirectory(into)
                        ? new TemplateSnapshots.Snapshot(TemplateSnapshots.sourceOf(template), into,
                                into.resolve(TemplateSnapshots.sourceOf(template).relativize(template)))
                        : TemplateSnapshots.take(template, into, runDirectory));
            } catch (IOException | RuntimeException ex) {
                refusals.add(new Refusal(template.toString(), Refusal.Kind.TEMPLATE_INVALID, "could not copy the"
                        + " directory of template " + template + " for its builds: " + ex.getMessage(), null,
                        e.getValue().stream().map(j -> j.id().value()).collect(Collectors.toSet())));
            }
        }
        return refusals;
    }

    /** The snapshot of {@code job}'s template taken for run {@code runId}, or null when none was. */
    TemplateSnapshots.Snapshot of(String runId, BuildJob job) {
        return snapshots.get(snapshotKey(runId, job));
    }

    private static Path key(BuildJob job) {
        return job.image().template().toAbsolutePath().normalize();
    }

    private static String snapshotKey(String runId, BuildJob job) {
        return runId + "\n" + key(job);
    }
}
