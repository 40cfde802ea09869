package dev.kiln.internal.packer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A build's copy of a JSON template gets the builder fields Kiln sets, and nothing else changes. */
class TemplateCopyTest {

    @TempDir
    Path dir;

    @Test
    void sets_fields_in_the_selected_builder_and_keeps_the_rest() throws Exception {
        // Given two builders, the second selected, with tags of its own and volumes
        Path template = Files.writeString(dir.resolve("t.json"), """
                {"variables": {"x": "1"},
                 "builders": [
                   {"type": "null", "name": "other"},
                   {"type": "amazon-ebsvolume", "region": "{{user `r`}}", "tags": {"team": "web"},
                    "ebs_volumes": [{"device_name": "/dev/xvdf"}, {"device_name": "/dev/xvdg", "tags": {"a": "b"}}]}
                 ],
                 "provisioners": [{"type": "shell-local", "inline": ["echo {{user `x`}}"]}]}
                """);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("region", "eu-west-1");
        fields.put("tags.kiln:build-id", "r1-001");
        fields.put("run_tags.kiln:build-id", "r1-001");
        fields.put("ebs_volumes.tags.kiln:build-id", "r1-001");

        // When
        TemplateCopy.write(template, 1, fields);

        // Then
        JsonNode root = new ObjectMapper().readTree(Files.readString(template));
        JsonNode builder = root.get("builders").get(1);
        assertThat(builder.get("region").asText()).isEqualTo("eu-west-1");
        assertThat(builder.get("tags").toString()).isEqualTo("{\"team\":\"web\",\"kiln:build-id\":\"r1-001\"}");
        assertThat(builder.get("run_tags").toString()).isEqualTo("{\"kiln:build-id\":\"r1-001\"}");
        assertThat(builder.get("ebs_volumes").get(0).get("tags").get("kiln:build-id").asText()).isEqualTo("r1-001");
        assertThat(builder.get("ebs_volumes").get(1).get("tags").toString())
                .isEqualTo("{\"a\":\"b\",\"kiln:build-id\":\"r1-001\"}");
        assertThat(root.get("builders").get(0).toString()).isEqualTo("{\"type\":\"null\",\"name\":\"other\"}");
        assertThat(root.get("provisioners").get(0).get("inline").get(0).asText()).isEqualTo("echo {{user `x`}}");
    }
}
