package dev.kiln.internal.packer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.KilnException;
import dev.kiln.packer.PackerVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VersionConstraintTest {

    @ParameterizedTest(name = "''{0}'' allows {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        ">= 1.6.0, < 2.0.0|1.6.6|true",
        ">= 1.6.0, < 2.0.0|2.0.0|false",
        ">= 1.6.0, < 2.0.0|1.5.9|false",
        ">= 1.9|1.6.6|false",
        ">= 1.9|1.9.0|true",
        "~> 1.8|1.8.0|true",
        "~> 1.8|1.11.2|true",
        "~> 1.8|2.0.0|false",
        "~> 1.8|1.7.9|false",
        "~> 1.8.2|1.8.9|true",
        "~> 1.8.2|1.9.0|false",
        "~> 1.8.2|1.8.1|false",
        "1.6.6|1.6.6|true",
        "1.6.6|1.6.7|false",
        "= v1.6.6|1.6.6|true",
        "!= 1.6.6|1.6.6|false",
        "> 1.6.6|1.6.6|false",
        "<= 1.6.6|1.6.6|true",
        ">= 1.10.0|1.10.0-dev|false",
        "< 1.10.0|1.10.0-dev|true",
        "~> 1.9|2.0.0-rc1|false"
    })
    void allowsWhatHashiCorpConstraintsAllow(String constraint, String version, boolean allowed) {
        assertThat(VersionConstraint.parse(constraint).allows(PackerVersion.parse(version))).isEqualTo(allowed);
    }

    @Test
    void readsVersionsAsPackerPrintsThem() {
        assertThat(PackerVersion.parse("v1.6.6")).isEqualTo(PackerVersion.of(1, 6, 6));
        assertThat(PackerVersion.parse("1.8")).isEqualTo(PackerVersion.of(1, 8, 0));
        assertThat(PackerVersion.parse("1.10.0-dev")).satisfies(v -> {
            assertThat(v.isPrerelease()).isTrue();
            assertThat(v.release()).isEqualTo(PackerVersion.of(1, 10, 0));
            assertThat(v).hasToString("1.10.0-dev");
        });
        assertThat(PackerVersion.parse("1.10.0")).isGreaterThan(PackerVersion.parse("1.9.9"));
    }

    @Test
    void rejectsNonsenseNamingTheTermAndWhatIsAllowed() {
        assertThatThrownBy(() -> VersionConstraint.parse(">= 1.6.0, ≥ 2"))
                .isInstanceOf(KilnException.class)
                .hasMessageContaining("'>= 1.6.0, ≥ 2'")
                .hasMessageContaining("invalid term '≥ 2'")
                .hasMessageContaining("=, !=, >, >=, <, <=, ~>");
        assertThatThrownBy(() -> VersionConstraint.parse(">= one")).hasMessageContaining("'one' is not a version");
        assertThatThrownBy(() -> VersionConstraint.parse(" ")).hasMessageContaining("empty");
    }

    @Test
    void remembersHowItWasWritten() {
        assertThat(VersionConstraint.parse(" >= 1.6.0, < 2.0.0 ")).hasToString(">= 1.6.0, < 2.0.0");
        assertThat(VersionConstraint.parse(">=1.6.0,<2.0.0")).isEqualTo(VersionConstraint.parse(">= 1.6.0, < 2.0.0"));
    }
}
