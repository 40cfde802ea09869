package dev.kiln.internal.packer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.packer.Artifact;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {

    // As packer 1.6.6's manifest post-processor wrote it after a second run in the same directory.
    private static final String TWO_RUNS = """
            {
              "builds": [
                {"name": "f", "builder_type": "file", "build_time": 1795612300,
                 "files": [{"name": "old.txt", "size": 1}], "artifact_id": "File",
                 "packer_run_uuid": "11111111-0000-0000-0000-000000000000", "custom_data": null},
                {"name": "f", "builder_type": "file", "build_time": 1795612390,
                 "files": [{"name": "artifact.txt", "size": 1}], "artifact_id": "File",
                 "packer_run_uuid": "f8f6df40-be79-bfa5-1496-31110bf8003f", "custom_data": null},
                {"name": "amazon-ebs", "builder_type": "amazon-ebs", "build_time": 1795612390,
                 "files": null, "artifact_id": "us-east-1:ami-0abc",
                 "packer_run_uuid": "f8f6df40-be79-bfa5-1496-31110bf8003f", "custom_data": null}
              ],
              "last_run_uuid": "f8f6df40-be79-bfa5-1496-31110bf8003f"
            }
            """;

    @TempDir
    Path workspace;

    @Test
    void readsOnlyTheLastRun() throws IOException {
        Path file = workspace.resolve("packer-manifest.json");
        Files.writeString(file, TWO_RUNS);
        assertThat(Manifest.read(file)).containsExactly(
                new Artifact("f", "file", "File", List.of("artifact.txt")),
                new Artifact("amazon-ebs", "amazon-ebs", "us-east-1:ami-0abc", List.of()));
    }

    @Test
    void ignoresAManifestThisBuildDidNotWrite() throws IOException {
        Files.writeString(workspace.resolve("manifest.json"), TWO_RUNS);
        Manifest before = Manifest.before(workspace);
        assertThat(before.artifacts()).isEmpty();
        Files.writeString(workspace.resolve("packer-manifest.json"), TWO_RUNS);
        assertThat(before.artifacts()).hasSize(2);
    }

    @Test
    void mergesWhatTheStreamDidNotReport() {
        List<Artifact> stream = List.of(new Artifact("null.f", "packer.file", "File", List.of("artifact.txt")));
        List<Artifact> manifest = List.of(new Artifact("f", "file", "File", List.of("artifact.txt")),
                new Artifact("amazon-ebs", "amazon-ebs", "us-east-1:ami-0abc", List.of()));
        assertThat(Manifest.merge(stream, manifest)).containsExactly(stream.get(0), manifest.get(1));
    }

    @Test
    void treatsABrokenManifestAsNone() throws IOException {
        Path file = workspace.resolve("packer-manifest.json");
        Files.writeString(file, "{\"builds\": [");
        assertThat(Manifest.read(file)).isEmpty();
    }
}
