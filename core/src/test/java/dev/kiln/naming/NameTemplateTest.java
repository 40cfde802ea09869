package dev.kiln.naming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.plan.Target;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NameTemplateTest {

    @Test
    void renders_every_placeholder() {
        NameTemplate t = NameTemplate.parse("{image}-{env}-{provider}-{region}-{git_sha}-{timestamp}-{build_id}");
        assertThat(t.render(Map.of("image", "ubuntu", "env", "dev", "provider", "aws", "region", "us-east-1",
                "git_sha", "abc123", "timestamp", "20260105090000", "build_id", "k1-007")))
                .isEqualTo("ubuntu-dev-aws-us-east-1-abc123-20260105090000-k1-007");
        assertThat(t.placeholders()).containsExactly("image", "env", "provider", "region", "git_sha", "timestamp",
                "build_id");
    }

    @Test
    void an_unknown_placeholder_is_refused_with_the_allowed_ones() {
        assertThatThrownBy(() -> NameTemplate.parse("{image}-{branch}"))
                .hasMessage("unknown placeholder {branch}; allowed: {image}, {env}, {provider}, {account}, {region},"
                        + " {git_sha}, {timestamp}, {build_id}");
    }

    @Test
    void unbalanced_braces_are_refused_with_their_position() {
        assertThatThrownBy(() -> NameTemplate.parse("{image-dev"))
                .hasMessage("'{' at position 1 is never closed; placeholders look like {image}");
        assertThatThrownBy(() -> NameTemplate.parse("image}-dev"))
                .hasMessage("'}' at position 6 closes no placeholder; placeholders look like {image}");
    }

    @Test
    void ami_names_allow_their_documented_characters_only() {
        NameRule aws = NameRules.aws();
        assertThat(aws.check("ubuntu (22.04) [base]/dev-'x'@k_1")).isEmpty();
        assertThat(aws.check("ab")).contains("3-128 characters of letters, digits and ()[] ./-'@_ (got 2 characters)");
        assertThat(aws.check("ubuntu:22")).isPresent();
        assertThat(aws.check("x".repeat(129))).isPresent();
    }

    @Test
    void gce_names_are_lowercase_rfc1035_and_unique_per_project() {
        NameRule gcp = NameRules.gcp();
        assertThat(gcp.normalize("Ubuntu_22.04-Dev")).isEqualTo("ubuntu-22-04-dev");
        assertThat(gcp.check("ubuntu-22-04")).isEmpty();
        assertThat(gcp.check("22-ubuntu")).isPresent();
        assertThat(gcp.check("ubuntu-")).isPresent();
        assertThat(gcp.check("a".repeat(64))).isPresent();
        assertThat(gcp.uniquenessScope(Target.of("gcp", "proj", "us-east1")))
                .isEqualTo(gcp.uniquenessScope(Target.of("gcp", "proj", "europe-west4")));
        assertThat(NameRules.aws().uniquenessScope(Target.of("aws", "1", "us-east-1")))
                .isNotEqualTo(NameRules.aws().uniquenessScope(Target.of("aws", "1", "eu-west-1")));
    }

    @Test
    void azure_and_vsphere_names_stop_at_80_characters() {
        assertThat(NameRules.azure().check("a".repeat(80))).isEmpty();
        assertThat(NameRules.azure().check("a".repeat(81))).isPresent();
        assertThat(NameRules.azure().check("-image")).isPresent();
        assertThat(NameRules.vsphere().check("Ubuntu 22.04 (template)")).isEmpty();
        assertThat(NameRules.vsphere().check("a/b")).isPresent();
        assertThat(NameRules.vsphere().check("a".repeat(81))).isPresent();
    }
}
