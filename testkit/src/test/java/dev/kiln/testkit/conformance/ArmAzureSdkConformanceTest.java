package dev.kiln.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.emulators.TestCa;
import dev.kiln.emulators.azure.ArmDelays;
import dev.kiln.emulators.azure.ArmEmulator;
import dev.kiln.limits.LimitSpec;
import dev.kiln.testkit.KilnEmulators;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * azure-sdk-for-python (azure-mgmt-resource, -network, -compute) with azure-identity's stock
 * ClientSecretCredential, not the Azure SDK for Java, against the ARM emulator over HTTPS (issue
 * 19): MSAL's discovery and token, a VM's life to a managed image, lists filtered by tag value
 * (without tags) and paged by nextLink, and ARM's and Compute's error and throttle answers as the
 * SDK received them, byte for byte (PROVIDER_LIMITS.md).
 */
@KilnEmulators
class ArmAzureSdkConformanceTest {

    private static final String SUB = ArmEmulator.DEFAULT_SUBSCRIPTION;
    /** Operations finish at once and pollers are told to come straight back. */
    private static final ArmDelays NOW = new ArmDelays(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO,
            Duration.ZERO, Duration.ZERO);

    @Test
    void azure_sdk_for_python_runs_against_the_arm_emulator(TestCa ca, @TempDir Path work) throws Exception {
        PythonClient sdk = new PythonClient("arm_azure_sdk.py", "azure.mgmt.compute", "python3-azure");
        try (ArmEmulator arm = ArmEmulator.builder().tls(ca).delays(NOW)
                .limit("compute.HighCostGet", LimitSpec.tokenBucket(3, 0.001)).start();
             ArmEmulator throttled = ArmEmulator.builder().tls(ca).delays(NOW)
                .limit("arm.reads", LimitSpec.tokenBucket(2, 0.001)).start()) {
            Map<String, JsonNode> checks = sdk.run(work, ca, Map.of(
                    "KILN_ENDPOINT", arm.tls().orElseThrow().endpoint().toString(),
                    "KILN_THROTTLED_ENDPOINT", throttled.tls().orElseThrow().endpoint().toString(),
                    "KILN_TENANT", arm.tenant(), "KILN_SUBSCRIPTION", SUB));

            JsonNode life = checks.get("lifecycle");
            assertThat(life.path("vm").asText()).isEqualTo("Succeeded");
            assertThat(life.path("powerStates").toString()).contains("PowerState/running");
            assertThat(life.path("image").asText()).isEqualTo("Succeeded");
            assertThat(life.path("vmGone").asText()).isEqualTo("ResourceNotFound");
            assertThat(checks.get("deleted").path("groupExists").asBoolean()).isFalse();

            JsonNode lists = checks.get("lists");
            assertThat(lists.path("byValue").toString()).isEqualTo("[\"ip-1\",\"ip-3\"]");
            assertThat(lists.path("byValueTags").toString()).isEqualTo("[null,null]");
            assertThat(lists.path("byName")).hasSize(5);
            assertThat(lists.path("byNameTags").toString()).isEqualTo("[\"b-0\",\"b-0\",\"b-0\",\"b-1\",\"b-1\"]");
            // The group holds the network, its NIC, the VM's OS disk, the image and five addresses.
            assertThat(lists.path("pageSizes").toString()).isEqualTo("[2,2,2,2,1]");
            assertThat(lists.path("groups").toString()).isEqualTo("[\"kiln-conformance\"]");

            JsonNode notFound = checks.get("notFound");
            assertThat(notFound.path("status").asInt()).isEqualTo(404);
            assertThat(notFound.path("body").asText()).isEqualTo("{\"error\":{\"code\":\"ResourceGroupNotFound\","
                    + "\"message\":\"Resource group 'kiln-missing' could not be found.\"}}");

            JsonNode unsupported = checks.get("unsupported");
            assertThat(unsupported.path("status").asInt()).isEqualTo(404);
            assertThat(unsupported.path("body").asText()).isEqualTo("{\"error\":{\"code\":\"NotFound\",\"message\":"
                    + "\"The emulator serves no GET /subscriptions/" + SUB + "/providers/Microsoft.Web\"}}");

            JsonNode compute = checks.get("computeThrottled");
            assertThat(compute.path("status").asInt()).isEqualTo(429);
            assertThat(compute.path("retryAfter").asText()).isEqualTo("1000");
            assertThat(compute.path("body").asText()).matches("\\{\"error\":\\{\"code\":\"OperationNotAllowed\","
                    + "\"message\":\"The server rejected the request because too many requests have been received for"
                    + " this subscription\\.\",\"details\":\\[\\{\"code\":\"TooManyRequests\",\"target\":"
                    + "\"HighCostGet3Min\",\"message\":\"\\{\\\\\"operationGroup\\\\\":\\\\\"HighCostGet3Min\\\\\","
                    + "\\\\\"startTime\\\\\":\\\\\"[-0-9T:.]+\\+00:00\\\\\",\\\\\"endTime\\\\\":\\\\\"[-0-9T:.]+"
                    + "\\+00:00\\\\\",\\\\\"allowedRequestCount\\\\\":3,\\\\\"measuredRequestCount\\\\\":4\\}\"\\}\\]"
                    + "\\}\\}");

            JsonNode subscription = checks.get("subscriptionThrottled");
            assertThat(subscription.path("status").asInt()).isEqualTo(429);
            assertThat(subscription.path("retryAfter").asText()).isEqualTo("1000");
            assertThat(subscription.at("/remaining/x-ms-ratelimit-remaining-subscription-reads").asText())
                    .isEqualTo("0");
            assertThat(subscription.path("body").asText()).isEqualTo("{\"error\":{\"code\":"
                    + "\"SubscriptionRequestsThrottled\",\"message\":\"Number of 'read' requests for subscription '"
                    + SUB + "' actor 'kiln-emulator' exceeded. Please try again after '1000' seconds after the last"
                    + " request. Please see https://aka.ms/arm-throttling for more information.\"}}");

            // MSAL read the authority's discovery and took a token from the emulator: no plain HTTP anywhere.
            assertThat(arm.counters().snapshot()).containsKeys("Token.Discovery", "Token.Acquire");
            assertThat(arm.calls()).extracting(c -> c.action()).contains("VirtualMachines.CreateOrUpdate",
                    "Images.CreateOrUpdate", "Resources.List");
            assertThat(arm.counters().snapshot().get("VirtualMachines.ListAll").throttled()).isEqualTo(1);
        }
    }
}
