package dev.kiln.packer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.job.FailureClass;
import dev.kiln.spi.BuildExit;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FailureClassifierTest {

    private static final FailureClassifier CLASSIFIER = FailureClassifier.standard();

    static Stream<Path> samples() throws IOException, URISyntaxException {
        Path dir = Path.of(FailureClassifierTest.class.getResource("/packer/samples").toURI());
        return Files.list(dir).filter(p -> p.getFileName().toString().endsWith(".txt")).sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void classifiesWhatPackerPrinted(Path sample) throws IOException {
        // Given packer's output for a failed build, its class in the file name
        FailureClass expected = FailureClass.valueOf(sample.getFileName().toString().split("--")[0]);
        List<String> output = Files.readAllLines(sample, StandardCharsets.UTF_8);
        // When the failure is classified
        FailureClassifier.Diagnosis d = CLASSIFIER.classify(failed(1), output);
        // Then the class is right and the evidence is a line packer printed
        assertThat(d.failure()).isEqualTo(expected);
        assertThat(d.evidence()).hasValueSatisfying(line -> assertThat(String.join("\n", output)
                .replace("%!(PACKER_COMMA)", ",").replace("\\n", "\n")).contains(line));
    }

    @Test
    void theCauseWinsOverTheCleanupErrorsAfterIt() {
        List<String> output = List.of(
                "1,,ui,error,==> amazon-ebs: Error launching source instance: VcpuLimitExceeded: You have requested more vCPU capacity",
                "2,,ui,error,==> amazon-ebs: Error terminating instance%!(PACKER_COMMA) may still be around: RequestLimitExceeded: Request limit exceeded.");
        FailureClassifier.Diagnosis d = CLASSIFIER.classify(failed(1), output);
        assertThat(d.failure()).isEqualTo(FailureClass.QUOTA);
        assertThat(d.evidence()).contains(
                "==> amazon-ebs: Error launching source instance: VcpuLimitExceeded: You have requested more vCPU capacity");
    }

    @Test
    void errorLinesCountBeforeChatter() {
        List<String> output = List.of(
                "1,,ui,message,    box: retrying after Throttling from the mirror",
                "2,,ui,error,Build 'box' errored after 1 second: Script exited with non-zero exit status: 2.Allowed exit codes are: [0]");
        assertThat(CLASSIFIER.classify(failed(1), output).failure()).isEqualTo(FailureClass.PROVISIONER_FAILED);
    }

    @Test
    void aTimeoutIsATimeoutUnlessSshNeverCame() {
        BuildExit timedOut = new BuildExit(-1, List.of(), List.of(), true, false, Optional.empty());
        assertThat(CLASSIFIER.classify(timedOut, List.of("1,,ui,say,==> amazon-ebs: Waiting for SSH to become available...")))
                .isEqualTo(new FailureClassifier.Diagnosis(FailureClass.COMMUNICATOR_TIMEOUT,
                        Optional.of("==> amazon-ebs: Waiting for SSH to become available...")));
        assertThat(CLASSIFIER.classify(timedOut, List.of(
                "1,,ui,say,==> amazon-ebs: Waiting for SSH to become available...",
                "2,,ui,say,==> amazon-ebs: Connected to SSH!",
                "3,,ui,say,==> amazon-ebs: Provisioning with shell script: setup.sh")).failure())
                .isEqualTo(FailureClass.TIMED_OUT);
    }

    @Test
    void anSshConnectionRefusedIsNotANetworkFailureOfTheApi() {
        // A booting instance refuses SSH for a while: that is the communicator's, not the API's network
        List<String> output = List.of(
                "1,,ui,say,==> amazon-ebs: Waiting for SSH to become available...",
                "2,,ui,message,    amazon-ebs: dial tcp 10.0.0.7:22: connect: connection refused",
                "3,,ui,error,Build 'amazon-ebs' errored: Timeout waiting for SSH.");
        assertThat(CLASSIFIER.classify(failed(1), output).failure()).isEqualTo(FailureClass.COMMUNICATOR_TIMEOUT);
        assertThat(FailureClass.NETWORK.isRetryable()).isTrue();
    }

    @Test
    void anErrorBeforeAnyBuildStartedIsTheTemplates() {
        List<String> output = List.of("1,,ui,error,Error: Something packer did not like in the template");
        assertThat(CLASSIFIER.classify(failed(1), output)).isEqualTo(new FailureClassifier.Diagnosis(
                FailureClass.TEMPLATE_INVALID, Optional.of("Error: Something packer did not like in the template")));
        List<String> started = List.of("1,,ui,say,==> box: Starting", "2,,ui,error,Error: something else");
        assertThat(CLASSIFIER.classify(failed(1), started)).isEqualTo(new FailureClassifier.Diagnosis(
                FailureClass.UNKNOWN, Optional.of("Error: something else")));
    }

    @Test
    void aFailureAfterABuildStartedIsNotTheTemplatesThoughOnlyItsErrorLinesAreRead() {
        // Given a build whose runner saw it start, classified as Kiln does by default: from its error lines
        List<String> errors = List.of("Error: something no rule knows");
        BuildExit exit = new BuildExit(1, List.of(), errors, false, false, Optional.empty(), true);
        // Then it is a failure of a running build, tried again, never a template's fault
        assertThat(CLASSIFIER.classify(exit, exit.errors())).isEqualTo(new FailureClassifier.Diagnosis(
                FailureClass.UNKNOWN, Optional.of(errors.get(0))));
        // while the same lines from a build that never started are the template's
        BuildExit early = new BuildExit(1, List.of(), errors, false, false, Optional.empty(), false);
        assertThat(CLASSIFIER.classify(early, early.errors()).failure()).isEqualTo(FailureClass.TEMPLATE_INVALID);
    }

    @Test
    void aVcenterFaultIsNeverTheTemplates() {
        // Given what packer 1.6.6's vsphere-iso left as a build's only error when another build made the
        // datastore's packer_cache first: a vim25 fault, no line naming the build
        List<String> errors = List.of("ServerFaultCode: Cannot complete the operation because the file or folder"
                + " [datastore1] packer_cache/ already exists");
        // Then it is a failure of a running build, which another attempt can pass, not a template's
        assertThat(CLASSIFIER.classify(failed(1), errors)).isEqualTo(new FailureClassifier.Diagnosis(
                FailureClass.UNKNOWN, Optional.of(errors.get(0))));
        // and a login fault stays a credentials failure
        assertThat(CLASSIFIER.classify(failed(1), List.of("ServerFaultCode: Cannot complete login due to an incorrect"
                + " user name or password.")).failure()).isEqualTo(FailureClass.AUTH);
    }

    @Test
    void aBuildThatNeverStartedIsUnknownWithItsReason() {
        BuildExit exit = new BuildExit(127, List.of(), List.of("could not start packer: no such file"), false, false,
                Optional.empty());
        assertThat(CLASSIFIER.classify(exit, List.of())).isEqualTo(new FailureClassifier.Diagnosis(
                FailureClass.UNKNOWN, Optional.of("could not start packer: no such file")));
    }

    @Test
    void aRunnersOwnClassificationWins() {
        BuildExit exit = new BuildExit(1, List.of(), List.of(), false, false, Optional.of(FailureClass.CAPACITY));
        assertThat(CLASSIFIER.classify(exit, List.of("1,,ui,error,AuthFailure")).failure()).isEqualTo(FailureClass.CAPACITY);
    }

    @Test
    void extraRulesComeFirst() {
        FailureClassifier custom = CLASSIFIER.withRule(FailureClass.CAPACITY, Pattern.compile("no hosts left in pool"));
        List<String> output = List.of("1,,ui,error,==> box: no hosts left in pool; Error running shell-local");
        assertThat(custom.classify(failed(1), output).failure()).isEqualTo(FailureClass.CAPACITY);
        assertThat(CLASSIFIER.classify(failed(1), output).failure()).isEqualTo(FailureClass.PROVISIONER_FAILED);
    }

    @Test
    void refusesToClassifySuccess() {
        assertThatThrownBy(() -> CLASSIFIER.classify(BuildExit.success(List.of()), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("succeeded");
    }

    private static BuildExit failed(int code) {
        return new BuildExit(code, List.of(), List.of(), false, false, Optional.empty());
    }
}
