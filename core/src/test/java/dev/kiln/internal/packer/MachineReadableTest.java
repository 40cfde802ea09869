package dev.kiln.internal.packer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.packer.Artifact;
import dev.kiln.packer.PackerEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MachineReadableTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant AT = Instant.ofEpochSecond(1795611656L);

    private final MachineReadable.Parser parser = new MachineReadable.Parser(() -> NOW);

    @Test
    void decodesCommasAndNewlines() {
        // packer 1.6.6 printed this for a template that does not parse
        Optional<PackerEvent> e = parser.parse("1795611656,,ui,error,Failed to parse template: Error parsing JSON:"
                + " unexpected end of JSON input\\nAt line 2%!(PACKER_COMMA) column 1 (offset 69):\\n");
        assertThat(e).contains(new PackerEvent.Error(AT, "",
                "Failed to parse template: Error parsing JSON: unexpected end of JSON input\nAt line 2, column 1 (offset 69):"));
    }

    @Test
    void tellsSayMessageAndErrorWithTheirBuild() {
        assertThat(parser.parse("1795611656,,ui,say,==> box: Running local shell script: /tmp/packer-shell1"))
                .contains(new PackerEvent.Say(AT, "box", "==> box: Running local shell script: /tmp/packer-shell1"));
        assertThat(parser.parse("1795611656,,ui,message,    null.box: hi%!(PACKER_COMMA) with comma"))
                .contains(new PackerEvent.Message(AT, "null.box", "    null.box: hi, with comma"));
        assertThat(parser.parse("1795611656,,ui,say,\\n==> Wait completed after 6 milliseconds 15 microseconds"))
                .contains(new PackerEvent.Say(AT, "", "==> Wait completed after 6 milliseconds 15 microseconds"));
    }

    @Test
    void tellsBuildsFinishingAndErroring() {
        assertThat(parser.parse("1795611656,,ui,say,Build 'f' finished after 2 milliseconds 513 microseconds."))
                .contains(new PackerEvent.BuildFinished(AT, "f"));
        assertThat(parser.parse("1795611656,,ui,error,Build 'box' errored after 5 milliseconds 798 microseconds:"
                + " Script exited with non-zero exit status: 3.Allowed exit codes are: [0]"))
                .contains(new PackerEvent.BuildErrored(AT, "box", "Script exited with non-zero exit status: 3.Allowed exit codes are: [0]"));
        assertThat(parser.parse("1795611656,box,error,Script exited with non-zero exit status: 3."))
                .contains(new PackerEvent.BuildErrored(AT, "box", "Script exited with non-zero exit status: 3."));
        assertThat(parser.parse("1795611656,,error-count,1"))
                .contains(new PackerEvent.BuildErrored(AT, "", "1 build(s) errored"));
    }

    @Test
    void assemblesArtifactsFromTheirLines() {
        List<String> lines = List.of(
                "1795611656,f,artifact-count,1",
                "1795611656,f,artifact,0,builder-id,packer.file",
                "1795611656,f,artifact,0,id,File",
                "1795611656,f,artifact,0,string,Stored file: out.txt",
                "1795611656,f,artifact,0,files-count,2",
                "1795611656,f,artifact,0,file,0,out.txt",
                "1795611656,f,artifact,0,file,1,dir/with%!(PACKER_COMMA)comma.txt",
                "1795611656,f,artifact,0,end");
        List<PackerEvent> events = lines.stream().map(parser::parse).flatMap(Optional::stream).toList();
        assertThat(events).containsExactly(
                new PackerEvent.Other(AT, "f", "artifact-count", List.of("1")),
                new PackerEvent.ArtifactReady(AT, new Artifact("f", "packer.file", "File",
                        List.of("out.txt", "dir/with,comma.txt"))));
    }

    @Test
    void keepsInterleavedArtifactsApart() {
        List<PackerEvent> events = List.of(
                "1,a,artifact,0,builder-id,mitchellh.amazonebs",
                "1,b,artifact,0,builder-id,packer.googlecompute",
                "1,a,artifact,0,id,us-east-1:ami-0abc%!(PACKER_COMMA)us-west-2:ami-0def",
                "1,b,artifact,0,id,kiln-web-dev",
                "1,b,artifact,0,end",
                "1,a,artifact,0,end").stream().map(parser::parse).flatMap(Optional::stream).toList();
        assertThat(events).extracting(e -> ((PackerEvent.ArtifactReady) e).artifact()).containsExactly(
                new Artifact("b", "packer.googlecompute", "kiln-web-dev", List.of()),
                new Artifact("a", "mitchellh.amazonebs", "us-east-1:ami-0abc,us-west-2:ami-0def", List.of()));
    }

    @Test
    void neverFailsOnGarbage() {
        for (String line : List.of("", "panic: runtime error", "not,machine", "99999999999999999999,,ui,say,x",
                "1,,ui", "1,,ui,say", "2026/11/25 13:00:59 [INFO] Packer version: 1.6.6")) {
            assertThat(parser.parse(line)).as(line).isPresent();
        }
        assertThat(parser.parse("panic: runtime error")).contains(new PackerEvent.Unparsed(NOW, "panic: runtime error"));
        assertThat(parser.parse("1795611656,,version,1.6.6"))
                .contains(new PackerEvent.Other(AT, "", "version", List.of("1.6.6")));
        assertThat(parser.parse("1,x,artifact,0,end")).contains(
                new PackerEvent.ArtifactReady(Instant.ofEpochSecond(1), new Artifact("x", "", "", List.of())));
    }

    @Test
    void readsVersionsBothWays() {
        assertThat(DefaultProcessRunner.parseVersion(List.of("1795611726,,version,1.6.6", "1795611726,,version-prelease,")))
                .hasValueSatisfying(v -> assertThat(v).hasToString("1.6.6"));
        assertThat(DefaultProcessRunner.parseVersion(List.of("Packer v1.9.4", "", "Your version of Packer is out of date!")))
                .hasValueSatisfying(v -> assertThat(v).hasToString("1.9.4"));
        assertThat(DefaultProcessRunner.parseVersion(List.of("Usage: packer [options] dictionary"))).isEmpty();
    }
}
