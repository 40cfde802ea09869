package dev.kiln.packer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedactorTest {

    private static final String MASK = Redactor.MASK;

    @Test
    void masksRegisteredValuesLongestFirst() {
        // Given a secret that contains another secret
        Redactor r = Redactor.builder().secret("hunter2").secret("hunter2-and-more").build();
        // When text holds both
        String out = r.redact("a=hunter2-and-more b=hunter2 c=hunter");
        // Then the longer one is masked whole, not as a mask plus its tail
        assertThat(out).isEqualTo("a=" + MASK + " b=" + MASK + " c=hunter");
    }

    @Test
    void masksRegisteredValuesInTheFormsPackerPrintsThem() {
        Redactor r = Redactor.builder().secret("p\"a,ss\nword").build();
        assertThat(r.redact("raw p\"a,ss\nword")).isEqualTo("raw " + MASK);
        assertThat(r.redact("json p\\\"a,ss\\nword")).isEqualTo("json " + MASK);
        assertThat(r.redact("1,,ui,message,    box: p\"a%!(PACKER_COMMA)ss\\nword")).isEqualTo("1,,ui,message,    box: " + MASK);
    }

    @Test
    void masksEnvironmentValuesWhoseNamesLookSecret() {
        Redactor r = Redactor.standard().withSecretsFrom(Map.of(
                "ARM_CLIENT_SECRET", "azure-shh", "VSPHERE_PASSWORD", "vcenter-pw", "GITHUB_TOKEN", "ghp-abc",
                "AWS_REGION", "us-east-1", "PWD", "/home/kiln"));
        assertThat(r.redact("azure-shh vcenter-pw ghp-abc us-east-1 /home/kiln"))
                .isEqualTo(MASK + " " + MASK + " " + MASK + " us-east-1 /home/kiln");
        assertThat(r.registeredSecrets()).isEqualTo(3);
        assertThat(r.toString()).doesNotContain("azure-shh");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "key AKIAIOSFODNN7EXAMPLE used|key [REDACTED] used",
        "session ASIAY34FZKBOKMUTVV7A here|session [REDACTED] here",
        "secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY end|secret [REDACTED] end",
        "commit 0a1b2c3d4e5f60718293a4b5c6d7e8f901234567 stays|commit 0a1b2c3d4e5f60718293a4b5c6d7e8f901234567 stays",
        "client secret abc8Q~Zx3yW5vU7tS9rQ1pO3nM5lK7jI9hG1fE3d now|client secret [REDACTED] now",
        "password=hunter2 next|password=[REDACTED] next",
        "ssh_password: hunter2|ssh_password: [REDACTED]",
        "export VAULT_TOKEN=s.abcdef|export VAULT_TOKEN=[REDACTED]",
        "{\"client_secret\": \"c-1\", \"region\": \"eu\"}|{\"client_secret\": \"[REDACTED]\", \"region\": \"eu\"}",
        "{\\\"api_key\\\":\\\"k-1\\\"}|{\\\"api_key\\\":\\\"[REDACTED]\\\"}",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig|Authorization: Bearer [REDACTED]",
        "sent bearer abcdefgh12345678 to it|sent bearer [REDACTED] to it",
        "GET https://admin:s3cret@vcenter.local/sdk|GET https://admin:[REDACTED]@vcenter.local/sdk",
        "nothing secret at all|nothing secret at all",
        // each rule runs only where its words are, whatever their case
        "DB_PassWord=hunter2 next|DB_PassWord=[REDACTED] next",
        "SSH_PASSPHRASE: open-sesame|SSH_PASSPHRASE: [REDACTED]",
        "AUTHORIZATION: Basic dXNlcjpwYXNz|AUTHORIZATION: Basic [REDACTED]",
        "sent BEARER abcdefgh12345678 to it|sent BEARER [REDACTED] to it",
        "Private-Key=abc|Private-Key=[REDACTED]"
    })
    void masksSecretShapes(String in, String out) {
        assertThat(Redactor.standard().redact(in)).isEqualTo(out);
    }

    @Test
    void masksPemKeysOnOneLineAndAcrossLines() {
        String escaped = "{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEv\\n-----END PRIVATE KEY-----\\n\"}";
        assertThat(Redactor.standard().redact(escaped)).doesNotContain("MIIEv").contains(MASK);

        UnaryOperator<String> lines = Redactor.standard().lineFilter();
        List<String> out = List.of("before", "-----BEGIN RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEA", "abc",
                "-----END RSA PRIVATE KEY----- after", "later").stream().map(lines).toList();
        assertThat(out).containsExactly("before", MASK, MASK, MASK, MASK + " after", "later");
    }

    @Test
    void aOneCharacterSecretIsMaskedOnlyAsAWordOfItsOwn() {
        // Given issue 14: secrets "p" and "e" turned "Unsupported argument" into a row of masks
        Redactor r = Redactor.builder().secret("p").secret("e").build();

        // Then words that merely contain them are left alone; the secrets standing alone are masked
        assertThat(r.redact("Error: Unsupported argument")).isEqualTo("Error: Unsupported argument");
        assertThat(r.redact("the pin is p, the other one e.")).isEqualTo("the pin is " + MASK + ", the other one "
                + MASK + ".");
        assertThat(r.redact("{\"pin\":\"p\"}")).isEqualTo("{\"pin\":\"" + MASK + "\"}");
    }

    @Test
    void aCommonWordSecretIsMaskedOnlyWhereThatWordStandsAlone() {
        // Given issue 14: a secret that is a common word, which masked every mention of it
        Redactor r = Redactor.builder().secret("ubuntu").build();

        // Then longer words and other spellings stay readable
        assertThat(r.redact("launching ubuntus and Ubuntu 22.04 from ubuntujammy"))
                .isEqualTo("launching ubuntus and Ubuntu 22.04 from ubuntujammy");
        assertThat(r.redact("db_password was ubuntu; retrying")).isEqualTo("db_password was " + MASK + "; retrying");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // issue 14: a key merely containing a secret-sounding word ate the next word
        "NoCredentialProviders: no valid providers in chain|NoCredentialProviders: no valid providers in chain",
        "[NoCredentialProviders: no valid providers in chain]|[NoCredentialProviders: no valid providers in chain]",
        "TokenRefreshRequired: please log in again|TokenRefreshRequired: please log in again",
        "Error: authorization: denied for user kiln|Error: authorization: denied for user kiln",
        "passwords: 3 attempts left|passwords: 3 attempts left",
        // while keys that are secrets still hide their values
        "clientSecret: abc123x next|clientSecret: [REDACTED] next",
        "{\"SecretAccessKey\": \"not-random-enough\"}|{\"SecretAccessKey\": \"[REDACTED]\"}",
        "aws_secret_access_key = abc123|aws_secret_access_key = [REDACTED]",
        "AWS_CREDENTIALS=x1y2z3|AWS_CREDENTIALS=[REDACTED]",
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIA/x, Signature=1"
                + "|Authorization: [REDACTED] Credential=[REDACTED], Signature=1"
    })
    void patternRulesMaskValuesNeverTheWordsAround(String in, String out) {
        assertThat(Redactor.standard().redact(in)).isEqualTo(out);
    }

    @Test
    void leavesNullAndEmptyAlone() {
        assertThat(Redactor.standard().redact(null)).isNull();
        assertThat(Redactor.standard().redact("")).isEmpty();
        assertThat(Redactor.builder().secret("").secret("  ").secret(null).build().registeredSecrets()).isZero();
    }
}
