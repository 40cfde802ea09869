package dev.kiln.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.emulators.TestCa;
import dev.kiln.emulators.aws.Ec2Delays;
import dev.kiln.emulators.aws.Ec2Emulator;
import dev.kiln.limits.LimitSpec;
import dev.kiln.testkit.KilnEmulators;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * boto3, not the AWS SDK for Java, against the EC2 emulator over HTTPS (issue 19): a resource's
 * life, filtered and paged lists, Service Quotas, and EC2's error and throttle answers as boto3
 * received them, byte for byte (PROVIDER_LIMITS.md: 503 RequestLimitExceeded).
 */
@KilnEmulators
class Ec2Boto3ConformanceTest {

    private static final String XML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    private static final String REQUEST_ID = "<RequestID>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
            + "</RequestID></Response>";

    @Test
    void boto3_runs_against_the_ec2_emulator(TestCa ca, @TempDir Path work) throws Exception {
        PythonClient boto3 = new PythonClient("ec2_boto3.py", "boto3", "python3-boto3");
        try (Ec2Emulator ec2 = Ec2Emulator.builder().tls(ca).delays(Ec2Delays.none())
                .limit("DescribeRegions", LimitSpec.tokenBucket(2, 0.001)).start()) {
            Map<String, JsonNode> checks = boto3.run(work, ca, Map.of(
                    "KILN_ENDPOINT", ec2.tls().orElseThrow().endpoint().toString(),
                    "AWS_ACCESS_KEY_ID", "AKIDKILNCONFORMANCE", "AWS_SECRET_ACCESS_KEY", "not-a-secret",
                    "AWS_DEFAULT_REGION", "us-east-1", "AWS_CONFIG_FILE", "/dev/null",
                    "AWS_SHARED_CREDENTIALS_FILE", "/dev/null", "AWS_EC2_METADATA_DISABLED", "true"));

            JsonNode life = checks.get("lifecycle");
            assertThat(life.path("imageState").asText()).isEqualTo("available");
            assertThat(life.path("deregistered").asText()).isEqualTo("InvalidAMIID.NotFound");
            assertThat(life.path("instanceState").asText()).isEqualTo("terminated");

            JsonNode lists = checks.get("lists");
            assertThat(lists.path("launched")).hasSize(7);
            assertThat(lists.path("filtered")).isEqualTo(lists.path("launched"));
            assertThat(lists.path("paged")).isEqualTo(lists.path("launched"));
            assertThat(lists.path("firstPage").asInt()).isEqualTo(5);
            assertThat(lists.path("hasNextToken").asBoolean()).isTrue();

            assertThat(checks.get("quota").path("value").asDouble()).isEqualTo(64.0);

            JsonNode notFound = checks.get("notFound");
            assertThat(notFound.path("status").asInt()).isEqualTo(400);
            assertThat(notFound.path("body").asText()).matches(XML.replace("?", "\\?") + "<Response><Errors><Error>"
                    + "<Code>InvalidInstanceID\\.NotFound</Code><Message>The instance ID &apos;i-0123456789abcdef0&apos;"
                    + " does not exist</Message></Error></Errors>" + REQUEST_ID);
            assertThat(notFound.path("message").asText()).isEqualTo("The instance ID 'i-0123456789abcdef0' does not"
                    + " exist");

            JsonNode unsupported = checks.get("unsupported");
            assertThat(unsupported.path("status").asInt()).isEqualTo(400);
            assertThat(unsupported.path("body").asText()).matches(XML.replace("?", "\\?") + "<Response><Errors>"
                    + "<Error><Code>InvalidAction</Code><Message>The action DescribeVpcEndpointServices is not valid"
                    + " for this web service\\.</Message></Error></Errors>" + REQUEST_ID);

            JsonNode throttled = checks.get("throttled");
            assertThat(throttled.path("status").asInt()).isEqualTo(503);
            assertThat(throttled.path("code").asText()).isEqualTo("RequestLimitExceeded");
            assertThat(throttled.path("body").asText()).matches(XML.replace("?", "\\?") + "<Response><Errors><Error>"
                    + "<Code>RequestLimitExceeded</Code><Message>Request limit exceeded\\.</Message></Error></Errors>"
                    + REQUEST_ID);

            // The emulator counted what boto3 did: one throttle, one call it does not serve.
            assertThat(ec2.counters().snapshot().get("DescribeRegions").throttled()).isEqualTo(1);
            assertThat(ec2.counters().snapshot().get("DescribeVpcEndpointServices").otherErrors()).isEqualTo(1);
            assertThat(ec2.counters().snapshot().get("RunInstances").calls()).isEqualTo(2);
        }
    }
}
