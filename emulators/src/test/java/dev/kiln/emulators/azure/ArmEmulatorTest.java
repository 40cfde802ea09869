package dev.kiln.emulators.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.emulators.ApiCall;
import dev.kiln.emulators.Fault;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.limits.LimitSpec;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ARM emulator on the wire: api-version, resource groups, LROs, usages, quotas, throttling, faults. */
class ArmEmulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SUB = ArmEmulator.DEFAULT_SUBSCRIPTION;
    private static final String V = "api-version=2024-07-01";

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-05T09:00:00Z"));
    private final HttpClient http = HttpClient.newHttpClient();
    private ArmEmulator arm;

    @AfterEach
    void stop() {
        if (arm != null) {
            arm.close();
        }
    }

    private ArmEmulator start(ArmEmulator.Builder b) {
        arm = b.timeSource(time).start();
        return arm;
    }

    private record Reply(int status, JsonNode json, HttpResponse<String> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    private Reply send(String method, String pathAndQuery, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(arm.endpoint() + pathAndQuery))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
            return new Reply(r.statusCode(), json, r);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Reply absolute(String url) {
        return send("GET", url.substring(arm.endpoint().toString().length()), null);
    }

    private static String rg(String name) {
        return "/subscriptions/" + SUB + "/resourceGroups/" + name;
    }

    private static String vm(String group, String name) {
        return rg(group) + "/providers/Microsoft.Compute/virtualMachines/" + name;
    }

    private static String vmBody(String size, Map<String, String> tags) throws IOException {
        return "{\"location\":\"westeurope\",\"tags\":" + JSON.writeValueAsString(tags) + ",\"properties\":"
                + "{\"hardwareProfile\":{\"vmSize\":\"" + size + "\"},\"storageProfile\":{\"osDisk\":"
                + "{\"createOption\":\"FromImage\"}}}}";
    }

    private void group(String name, Map<String, String> tags) throws IOException {
        assertThat(send("PUT", rg(name) + "?" + V, "{\"location\":\"westeurope\",\"tags\":"
                + JSON.writeValueAsString(tags) + "}").status).isIn(200, 201);
    }

    @Test
    void a_missing_or_unknown_api_version_is_refused_with_arms_codes() {
        start(ArmEmulator.builder());
        Reply missing = send("GET", rg("x"), null);
        assertThat(missing.status).isEqualTo(400);
        assertThat(missing.json.at("/error/code").asText()).isEqualTo("MissingApiVersionParameter");
        for (String bad : List.of("2099-01-01", "banana", "2024-13-45")) {
            Reply r = send("GET", rg("x") + "?api-version=" + bad, null);
            assertThat(r.status).isEqualTo(400);
            assertThat(r.json.at("/error/code").asText()).isEqualTo("InvalidApiVersionParameter");
            assertThat(r.json.at("/error/message").asText()).contains("'" + bad + "'");
        }
        assertThat(send("GET", rg("x") + "?api-version=2019-10-01", null).json.at("/error/code").asText())
                .isEqualTo("ResourceGroupNotFound");
    }

    @Test
    void subscriptions_list_their_regions_and_unknown_paths_are_reported() {
        start(ArmEmulator.builder().regions(List.of("westeurope", "eastus")));
        assertThat(send("GET", "/subscriptions/" + SUB + "/locations?" + V, null).json.path("value"))
                .extracting(n -> n.path("name").asText()).containsExactly("westeurope", "eastus");
        assertThat(send("GET", "/subscriptions/" + SUB + "/providers/Microsoft.Web/sites?" + V, null).status)
                .isEqualTo(404);
        assertThat(arm.unknownRoutes()).containsExactly("GET /subscriptions/" + SUB + "/providers/Microsoft.Web/sites");
    }

    @Test
    void resource_groups_are_created_filtered_by_tag_and_deleted_through_a_long_running_operation()
            throws IOException {
        start(ArmEmulator.builder());
        Reply created = send("PUT", rg("kiln-a") + "?" + V, "{\"location\":\"westeurope\",\"tags\":{\"kiln-build-id\":"
                + "\"b-1\"}}");
        assertThat(created.status).isEqualTo(201);
        assertThat(send("PUT", rg("kiln-a") + "?" + V, "{\"location\":\"westeurope\",\"tags\":{\"kiln-build-id\":"
                + "\"b-1\"}}").status).isEqualTo(200);
        group("kiln-b", Map.of("kiln-build-id", "b-2"));
        assertThat(send("HEAD", rg("kiln-a") + "?" + V, null).status).isEqualTo(204);
        assertThat(send("HEAD", rg("nope") + "?" + V, null).status).isEqualTo(404);

        Reply filtered = send("GET", "/subscriptions/" + SUB + "/resourcegroups?" + V + "&%24filter="
                + "tagName%20eq%20%27kiln-build-id%27%20and%20tagValue%20eq%20%27b-1%27", null);
        assertThat(filtered.json.path("value")).extracting(n -> n.path("name").asText()).containsExactly("kiln-a");

        Reply deleting = send("DELETE", rg("kiln-a") + "?" + V, null);
        assertThat(deleting.status).isEqualTo(202);
        assertThat(deleting.header("Retry-After")).isEqualTo("1");
        String location = deleting.header("Location");
        assertThat(location).contains("/operationresults/");
        assertThat(absolute(location).status).isEqualTo(202);
        assertThat(send("GET", rg("kiln-a") + "?" + V, null).json.at("/properties/provisioningState").asText())
                .isEqualTo("Deleting");
        time.advance(Duration.ofSeconds(2));
        assertThat(absolute(location).status).isEqualTo(200);
        assertThat(send("GET", rg("kiln-a") + "?" + V, null).status).isEqualTo(404);
    }

    @Test
    void vms_provision_over_time_and_count_against_cores_and_their_family() throws IOException {
        start(ArmEmulator.builder().coresLimit(4));
        group("g", Map.of());
        Reply put = send("PUT", vm("g", "vm1") + "?" + V, vmBody("Standard_D2s_v3", Map.of("kiln-build-id", "b")));
        assertThat(put.status).isEqualTo(201);
        assertThat(put.json.at("/properties/provisioningState").asText()).isEqualTo("Creating");
        String async = put.header("Azure-AsyncOperation");
        assertThat(async).contains("/providers/Microsoft.Compute/locations/westeurope/operations/");
        assertThat(absolute(async).json.path("status").asText()).isEqualTo("InProgress");
        time.advance(Duration.ofSeconds(2));
        assertThat(absolute(async).json.path("status").asText()).isEqualTo("Succeeded");
        assertThat(send("GET", vm("g", "vm1") + "?" + V, null).json.at("/properties/provisioningState").asText())
                .isEqualTo("Succeeded");

        Reply usages = send("GET", "/subscriptions/" + SUB + "/providers/Microsoft.Compute/locations/westeurope/usages"
                + "?api-version=2024-07-01", null);
        assertThat(usages.status).isEqualTo(200);
        JsonNode cores = find(usages.json.path("value"), "cores");
        assertThat(cores.path("currentValue").asInt()).isEqualTo(2);
        assertThat(cores.path("limit").asInt()).isEqualTo(4);
        assertThat(cores.at("/name/localizedValue").asText()).isEqualTo("Total Regional vCPUs");
        assertThat(find(usages.json.path("value"), "standardDSv3Family").path("currentValue").asInt()).isEqualTo(2);
        assertThat(arm.coresInUse(SUB, "westeurope")).isEqualTo(2);
    }

    private static JsonNode find(JsonNode usages, String name) {
        for (JsonNode u : usages) {
            if (u.at("/name/value").asText().equals(name)) {
                return u;
            }
        }
        throw new AssertionError("no usage " + name + " in " + usages);
    }

    @Test
    void a_vm_over_quota_is_refused_with_computes_409_wording_and_counted() throws IOException {
        start(ArmEmulator.builder().coresLimit(4));
        group("g", Map.of());
        send("PUT", vm("g", "vm1") + "?" + V, vmBody("Standard_D2s_v3", Map.of()));
        send("PUT", vm("g", "vm2") + "?" + V, vmBody("Standard_D2s_v3", Map.of()));
        Reply over = send("PUT", vm("g", "vm3") + "?" + V, vmBody("Standard_D2s_v3", Map.of()));
        assertThat(over.status).isEqualTo(409);
        assertThat(over.json.at("/error/code").asText()).isEqualTo("OperationNotAllowed");
        assertThat(over.json.at("/error/message").asText()).contains("exceeding approved Total Regional Cores quota")
                .contains("Location: westeurope, Current Limit: 4, Current Usage: 4, Additional Required: 2");
        assertThat(arm.counters().of("VirtualMachines.CreateOrUpdate").quotaErrors()).isEqualTo(1);

        // The cores come free when the VM is deallocated, not when deallocation starts.
        assertThat(send("POST", vm("g", "vm1") + "/deallocate?" + V, null).status).isEqualTo(202);
        assertThat(send("PUT", vm("g", "vm3") + "?" + V, vmBody("Standard_D2s_v3", Map.of())).status).isEqualTo(409);
        time.advance(Duration.ofSeconds(1));
        assertThat(send("PUT", vm("g", "vm3") + "?" + V, vmBody("Standard_D2s_v3", Map.of())).status).isEqualTo(201);
        assertThat(arm.peakCoresInUse(SUB, "westeurope")).isEqualTo(4);
    }

    @Test
    void a_family_over_its_own_limit_is_refused_naming_the_family() throws IOException {
        start(ArmEmulator.builder().familyLimit("standardDSv3Family", 2));
        group("g", Map.of());
        send("PUT", vm("g", "vm1") + "?" + V, vmBody("Standard_D2s_v3", Map.of()));
        Reply over = send("PUT", vm("g", "vm2") + "?" + V, vmBody("Standard_D2s_v3", Map.of()));
        assertThat(over.status).isEqualTo(409);
        assertThat(over.json.at("/error/message").asText()).contains("approved standardDSv3Family Cores quota")
                .contains("Current Limit: 2, Current Usage: 2, Additional Required: 2");
        assertThat(send("PUT", vm("g", "vm2") + "?" + V, vmBody("Standard_B2s", Map.of())).status).isEqualTo(201);
    }

    @Test
    void arm_throttles_reads_per_subscription_and_region_with_headers_and_retry_after() throws IOException {
        start(ArmEmulator.builder().limit("arm.reads", LimitSpec.tokenBucket(3, 1)));
        group("g", Map.of());
        for (int left = 2; left >= 0; left--) {
            Reply r = send("GET", rg("g") + "?" + V, null);
            assertThat(r.status).isEqualTo(200);
            assertThat(r.header("x-ms-ratelimit-remaining-subscription-reads")).isEqualTo(Integer.toString(left));
        }
        Reply throttled = send("GET", rg("g") + "?" + V, null);
        assertThat(throttled.status).isEqualTo(429);
        assertThat(throttled.header("Retry-After")).isEqualTo("1");
        assertThat(throttled.json.at("/error/code").asText()).isEqualTo("SubscriptionRequestsThrottled");
        assertThat(throttled.header("x-ms-ratelimit-remaining-subscription-reads")).isEqualTo("0");
        assertThat(send("GET", rg("missing") + "?" + V, null).header("x-ms-ratelimit-remaining-subscription-reads"))
                .as("an error answer still says what is left").isNotNull();
        assertThat(throttled.json.at("/error/message").asText()).startsWith("Number of 'read' requests for"
                + " subscription '" + SUB + "' actor '").contains("Please try again after '1' seconds");
        assertThat(arm.counters().of("ResourceGroups.Get").throttled()).isEqualTo(1);
        // Another region has its own bucket; writes have theirs.
        assertThat(send("PUT", rg("h") + "?" + V, "{\"location\":\"eastus\"}").header(
                "x-ms-ratelimit-remaining-subscription-writes")).isEqualTo("199");
        assertThat(send("GET", rg("h") + "?" + V, null).status).isEqualTo(200);
        time.advance(Duration.ofSeconds(1));
        assertThat(send("GET", rg("g") + "?" + V, null).status).isEqualTo(200);
    }

    @Test
    void compute_throttles_by_policy_with_operation_not_allowed_and_too_many_requests() throws IOException {
        start(ArmEmulator.builder().limit("compute.LowCostGet", LimitSpec.tokenBucket(2, 0.1))
                .delays(ArmDelays.instant()));
        group("g", Map.of());
        send("PUT", vm("g", "vm1") + "?" + V, vmBody("Standard_D2s_v3", Map.of()));
        Reply first = send("GET", vm("g", "vm1") + "?" + V, null);
        // Compute names both windows of the policy: the 3-minute one is Kiln's bucket, the 30-minute
        // one ten times as deep (issue 19).
        assertThat(first.header("x-ms-ratelimit-remaining-resource"))
                .isEqualTo("Microsoft.Compute/LowCostGet3Min;1,Microsoft.Compute/LowCostGet30Min;179");
        send("GET", vm("g", "vm1") + "?" + V, null);
        Reply throttled = send("GET", vm("g", "vm1") + "?" + V, null);
        assertThat(throttled.status).isEqualTo(429);
        assertThat(throttled.header("Retry-After")).isEqualTo("10");
        assertThat(throttled.json.at("/error/code").asText()).isEqualTo("OperationNotAllowed");
        assertThat(throttled.json.at("/error/details/0/code").asText()).isEqualTo("TooManyRequests");
        assertThat(throttled.json.at("/error/details/0/target").asText()).isEqualTo("LowCostGet3Min");
        assertThat(throttled.json.at("/error/details/0/message").asText()).matches("\\{\"operationGroup\":"
                + "\"LowCostGet3Min\",\"startTime\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}\\+00:00\","
                + "\"endTime\":\"[^\"]+\",\"allowedRequestCount\":2,\"measuredRequestCount\":3}");
        Reply put = send("PUT", vm("g", "vm2") + "?" + V, vmBody("Standard_B1s", Map.of()));
        assertThat(put.header("x-ms-ratelimit-remaining-resource"))
                .matches("Microsoft\\.Compute/PutVM3Min;\\d+,Microsoft\\.Compute/PutVM30Min;\\d+");
    }

    @Test
    void resources_in_use_cannot_be_deleted_before_what_uses_them() throws IOException {
        start(ArmEmulator.builder().delays(ArmDelays.instant()));
        group("g", Map.of());
        String net = rg("g") + "/providers/Microsoft.Network";
        send("PUT", net + "/publicIPAddresses/ip?" + V, "{\"location\":\"westeurope\"}");
        send("PUT", net + "/virtualNetworks/vn?" + V, "{\"location\":\"westeurope\",\"properties\":{\"subnets\":"
                + "[{\"name\":\"s\",\"properties\":{\"addressPrefix\":\"10.0.0.0/24\"}}]}}");
        send("PUT", net + "/networkInterfaces/nic?" + V, "{\"location\":\"westeurope\",\"properties\":"
                + "{\"ipConfigurations\":[{\"name\":\"c\",\"properties\":{\"subnet\":{\"id\":\"" + net
                + "/virtualNetworks/vn/subnets/s\"},\"publicIPAddress\":{\"id\":\"" + net + "/publicIPAddresses/ip\"}}}]}}");
        send("PUT", vm("g", "vm") + "?" + V, "{\"location\":\"westeurope\",\"properties\":{\"hardwareProfile\":"
                + "{\"vmSize\":\"Standard_B1s\"},\"networkProfile\":{\"networkInterfaces\":[{\"id\":\"" + net
                + "/networkInterfaces/nic\"}]}}}");
        String disk = send("GET", vm("g", "vm") + "?" + V, null).json.at("/properties/storageProfile/osDisk/managedDisk/id")
                .asText();

        assertThat(send("DELETE", net + "/networkInterfaces/nic?" + V, null).json.at("/error/code").asText())
                .isEqualTo("NicInUse");
        assertThat(send("DELETE", disk + "?" + V, null).status).isEqualTo(409);
        assertThat(send("DELETE", vm("g", "vm") + "?" + V, null).status).isEqualTo(202);
        time.advance(Duration.ofMillis(1));
        assertThat(send("DELETE", net + "/publicIPAddresses/ip?" + V, null).json.at("/error/code").asText())
                .isEqualTo("PublicIPAddressInUse");
        assertThat(send("DELETE", net + "/networkInterfaces/nic?" + V, null).status).isEqualTo(202);
        time.advance(Duration.ofMillis(1));
        assertThat(send("DELETE", net + "/publicIPAddresses/ip?" + V, null).status).isEqualTo(202);
        assertThat(send("DELETE", disk + "?" + V, null).status).isEqualTo(202);
        time.advance(Duration.ofMillis(1));
        assertThat(send("DELETE", disk + "?" + V, null).status).isEqualTo(204);
    }

    @Test
    void injected_faults_answer_arms_internal_error_and_are_counted() throws IOException {
        start(ArmEmulator.builder());
        group("g", Map.of());
        arm.faults().inject("ResourceGroups.Get", Fault.errorRate(1));
        Reply r = send("GET", rg("g") + "?" + V, null);
        assertThat(r.status).isEqualTo(500);
        assertThat(r.json.at("/error/code").asText()).isEqualTo("InternalServerError");
        assertThat(arm.counters().of("ResourceGroups.Get").injectedFaults()).isEqualTo(1);
        arm.faults().clear();
        assertThat(send("GET", rg("g") + "?" + V, null).status).isEqualTo(200);
    }

    @Test
    void the_token_endpoint_hands_out_a_jwt_naming_the_object_id() throws IOException {
        start(ArmEmulator.builder());
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(URI.create(arm.endpoint() + "/" + arm.tenant() + "/oauth2/token"))
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=c"
                            + "&client_secret=s&resource=https%3A%2F%2Fmanagement.azure.com%2F")).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        JsonNode token = JSON.readTree(r.body());
        assertThat(token.path("token_type").asText()).isEqualTo("Bearer");
        String payload = token.path("access_token").asText().split("\\.")[1];
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(payload));
        assertThat(claims.path("oid").asText()).isEqualTo(ArmEmulator.OBJECT_ID);
        assertThat(claims.path("tid").asText()).isEqualTo(arm.tenant());
    }

    @Test
    void the_stand_in_makes_azure_arms_calls_in_order_and_leaves_only_the_tagged_image() throws Exception {
        start(ArmEmulator.builder());
        group("images", Map.of());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = Map.of("KILN_AZURE_ENDPOINT", arm.endpoint().toString(),
                "KILN_AZURE_SUBSCRIPTION", SUB, "KILN_AZURE_REGION", "westeurope", "KILN_AZURE_RESOURCE_GROUP", "images");

        int exit = ArmBuildStandIn.run(new String[] {"--image-name", "ubuntu-dev-1", "--build-id", "b-42"}, env,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                time);

        assertThat(exit).as("stderr: %s%nstdout: %s", err, out).isZero();
        List<String> calls = arm.calls().stream().map(ApiCall::action).toList();
        assertThat(calls).containsSubsequence("Token.Acquire", "Token.Acquire", "ResourceGroups.Get", "Images.Get",
                "ResourceGroups.CheckExistence", "ResourceGroups.CreateOrUpdate", "Deployments.Validate",
                "Deployments.CreateOrUpdate", "Deployments.GetOperationStatus", "PublicIPAddresses.Get",
                "VirtualMachines.Get", "VirtualMachines.Get", "VirtualMachines.Deallocate", "Operations.Get",
                "VirtualMachines.Generalize", "Images.CreateOrUpdate", "Operations.Get", "Images.Get",
                "VirtualMachines.Get", "VirtualMachines.Delete", "DeploymentOperations.List",
                "NetworkInterfaces.Delete", "PublicIPAddresses.Delete", "VirtualNetworks.Delete", "Disks.Delete",
                "Deployments.Delete", "ResourceGroups.Delete", "OperationResults.Get");
        assertThat(arm.unknownRoutes()).isEmpty();
        assertThat(arm.counters().total().otherErrors()).as("errors besides the expected 404 of Images.Get")
                .isEqualTo(1);
        assertThat(arm.resourcesTagged("kiln-build-id", "b-42")).singleElement()
                .satisfies(r -> assertThat(r.id()).endsWith("/providers/Microsoft.Compute/images/ubuntu-dev-1"))
                .extracting(TaggedResource::state).isEqualTo("Succeeded");
        assertThat(arm.coresInUse(SUB, "westeurope")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("ManagedImageName: ubuntu-dev-1");
    }

    @Test
    void the_stand_in_tags_everything_it_creates_with_the_expiry_as_azure_tags_would() throws Exception {
        // Given a build told its expiry, watched when it deallocates its VM (everything is made by then)
        List<TaggedResource> midBuild = new java.util.concurrent.CopyOnWriteArrayList<>();
        ArmEmulator[] self = new ArmEmulator[1];
        start(ArmEmulator.builder().onCall(call -> {
            if (call.action().equals("VirtualMachines.Deallocate") && midBuild.isEmpty()) {
                midBuild.addAll(self[0].resourcesTagged("kiln-expires-at", "1767229200"));
            }
        }));
        self[0] = arm;
        group("images", Map.of());
        Map<String, String> env = Map.of("KILN_AZURE_ENDPOINT", arm.endpoint().toString(),
                "KILN_AZURE_SUBSCRIPTION", SUB, "KILN_AZURE_REGION", "westeurope", "KILN_AZURE_RESOURCE_GROUP", "images");
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = ArmBuildStandIn.run(new String[] {"--image-name", "img-exp", "--build-id", "b-44",
            "--expires-at", "1767229200"}, env, new PrintStream(new ByteArrayOutputStream(), true,
                    StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), time);

        // Then the temporary group, VM, NIC, public IP and network carried it, and so does the image
        assertThat(exit).as("stderr: %s", err).isZero();
        assertThat(midBuild).extracting(TaggedResource::type).contains("resourceGroup",
                "Microsoft.Compute/virtualMachines", "Microsoft.Network/networkInterfaces",
                "Microsoft.Network/publicIPAddresses", "Microsoft.Network/virtualNetworks");
        assertThat(midBuild).allSatisfy(r -> assertThat(r.tags()).containsEntry("kiln-build-id", "b-44"));
        assertThat(arm.resourcesTagged("kiln-expires-at", "1767229200")).singleElement()
                .satisfies(r -> assertThat(r.id()).endsWith("/providers/Microsoft.Compute/images/img-exp"));
    }

    @Test
    void the_stand_in_fails_over_quota_and_still_removes_its_temporary_group() throws Exception {
        start(ArmEmulator.builder().coresLimit(1));
        group("images", Map.of());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = Map.of("KILN_AZURE_ENDPOINT", arm.endpoint().toString(),
                "KILN_AZURE_SUBSCRIPTION", SUB, "KILN_AZURE_REGION", "westeurope", "KILN_AZURE_RESOURCE_GROUP", "images");

        int exit = ArmBuildStandIn.run(new String[] {"--image-name", "img", "--build-id", "b-43"}, env,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), time);

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("OperationNotAllowed")
                .contains("Current Limit: 1, Current Usage: 0, Additional Required: 2");
        assertThat(arm.counters().total().quotaErrors()).isEqualTo(1);
        assertThat(arm.resourcesTagged("kiln-build-id", "b-43")).isEmpty();
    }

    @Test
    void the_stand_in_says_what_is_missing() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ArmBuildStandIn.run(new String[] {"--image-name", "x"}, Map.of(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), time);
        assertThat(exit).isEqualTo(ArmBuildStandIn.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("azure-arm stand-in: --endpoint is required (or its"
                + " KILN_AZURE_* variable)" + System.lineSeparator());
    }
}
