package dev.kiln.emulators.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What third-party ARM clients found missing or wrong (issue 19): lists filtered by a tag's value
 * answer without tags, as ARM documents; lists filter and page ({@code $top}, {@code nextLink});
 * the cloud metadata {@code az cloud register} reads; Azure AD's discovery MSAL reads; and the
 * not-found answer of a route the emulator does not serve.
 */
class ArmClientGapsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SUB = ArmEmulator.DEFAULT_SUBSCRIPTION;
    private static final String V = "api-version=2022-09-01";

    private final HttpClient http = HttpClient.newHttpClient();
    private ArmEmulator arm;

    @BeforeEach
    void start() throws Exception {
        arm = ArmEmulator.builder().delays(ArmDelays.instant()).start();
        put("/subscriptions/" + SUB + "/resourcegroups/g", "{\"location\":\"eastus\",\"tags\":{\"team\":\"kiln\"}}");
        for (int i = 0; i < 5; i++) {
            put(net("ip-" + i), "{\"location\":\"eastus\",\"tags\":{\"kiln_build\":\"b-" + (i % 2) + "\"}}");
        }
        put("/subscriptions/" + SUB + "/resourcegroups/g/providers/Microsoft.Network/virtualNetworks/vnet",
                "{\"location\":\"westus2\",\"properties\":{\"subnets\":[]}}");
    }

    @AfterEach
    void stop() {
        arm.close();
    }

    private static String net(String ip) {
        return "/subscriptions/" + SUB + "/resourcegroups/g/providers/Microsoft.Network/publicIPAddresses/" + ip;
    }

    private void put(String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(arm.endpoint() + path + "?" + V))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isIn(200, 201);
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url.startsWith("http") ? url : arm.endpoint() + url))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode list(String filter) throws Exception {
        return JSON.readTree(get("/subscriptions/" + SUB + "/resources?" + V + "&$filter="
                + URLEncoder.encode(filter, StandardCharsets.UTF_8)).body());
    }

    @Test
    void issue19_a_list_filtered_by_tag_name_and_value_leaves_tags_out_as_arm_documents() throws Exception {
        JsonNode byValue = list("tagName eq 'kiln_build' and tagValue eq 'b-1'");
        assertThat(byValue.path("value")).hasSize(2);
        byValue.path("value").forEach(r -> assertThat(r.has("tags")).as(r.toString()).isFalse());

        JsonNode byName = list("tagName eq 'KILN_BUILD'");
        assertThat(byName.path("value")).hasSize(5);
        byName.path("value").forEach(r -> assertThat(r.at("/tags/kiln_build").isTextual()).isTrue());

        JsonNode groups = JSON.readTree(get("/subscriptions/" + SUB + "/resourcegroups?" + V + "&$filter="
                + URLEncoder.encode("tagName eq 'team' and tagValue eq 'kiln'", StandardCharsets.UTF_8)).body());
        assertThat(groups.at("/value/0/tags/team").asText()).isEqualTo("kiln");
    }

    @Test
    void lists_take_arms_other_filters() throws Exception {
        assertThat(list("resourceType eq 'Microsoft.Network/virtualNetworks'").path("value")).hasSize(1);
        assertThat(list("substringof('ip-', name)").path("value")).hasSize(5);
        assertThat(list("location eq 'westus2' or name eq 'ip-3'").path("value")).hasSize(2);
        assertThat(list("resourceGroup eq 'G' and startswith(name, 'IP-1')").path("value")).hasSize(1);
        HttpResponse<String> bad = get("/subscriptions/" + SUB + "/resources?" + V + "&$filter="
                + URLEncoder.encode("name ne 'x'", StandardCharsets.UTF_8));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).at("/error/code").asText()).isEqualTo("InvalidFilterInQueryString");
    }

    @Test
    void lists_page_by_top_and_next_link() throws Exception {
        List<String> names = new ArrayList<>();
        String url = "/subscriptions/" + SUB + "/resourceGroups/g/resources?" + V + "&$top=2";
        int pages = 0;
        while (url != null) {
            JsonNode page = JSON.readTree(get(url).body());
            assertThat(page.path("value").size()).isLessThanOrEqualTo(2);
            page.path("value").forEach(r -> names.add(r.path("name").asText()));
            url = page.path("nextLink").asText(null);
            if (url != null) {
                assertThat(url).startsWith(arm.endpoint() + "/subscriptions/").contains("$top=2", "$skiptoken=");
            }
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(names).containsExactly("ip-0", "ip-1", "ip-2", "ip-3", "ip-4", "vnet");
        HttpResponse<String> ips = get("/subscriptions/" + SUB + "/resourceGroups/g/providers/Microsoft.Network/"
                + "publicIPAddresses?" + V + "&$top=4");
        assertThat(JSON.readTree(ips.body()).path("value")).hasSize(4);
        assertThat(JSON.readTree(ips.body()).path("nextLink").asText()).contains("$skiptoken=kiln4");
        assertThat(get("/subscriptions/" + SUB + "/resources?" + V + "&$top=0").statusCode()).isEqualTo(400);
        assertThat(get("/subscriptions/" + SUB + "/resources?" + V + "&$skiptoken=zzz").statusCode()).isEqualTo(400);
    }

    @Test
    void issue19_cloud_metadata_names_the_emulator_for_az_cloud_register() throws Exception {
        String base = arm.endpoint() + "/";
        JsonNode old = JSON.readTree(get("/metadata/endpoints?api-version=2015-01-01").body());
        assertThat(old.at("/authentication/loginEndpoint").asText()).isEqualTo(base);
        assertThat(old.at("/authentication/audiences/0").asText()).isEqualTo("https://management.core.windows.net/");
        assertThat(old.path("galleryEndpoint").asText()).isEqualTo("https://gallery.azure.com/");

        JsonNode clouds = JSON.readTree(get("/metadata/endpoints?api-version=2022-09-01").body());
        assertThat(clouds.isArray()).isTrue();
        JsonNode cloud = clouds.get(0);
        assertThat(cloud.path("name").asText()).isEqualTo("KilnEmulator");
        assertThat(cloud.path("resourceManager").asText()).isEqualTo(base);
        assertThat(cloud.at("/authentication/loginEndpoint").asText()).isEqualTo(base);
        for (String field : List.of("sqlManagement", "batch", "gallery", "graphAudience", "vmImageAliasDoc",
                "media")) {
            assertThat(cloud.path(field).isTextual()).as(field).isTrue();
        }
        for (String suffix : List.of("storage", "keyVaultDns", "sqlServerHostname")) {
            assertThat(cloud.at("/suffixes/" + suffix).isTextual()).as(suffix).isTrue();
        }
        // az joins its endpoint and the path with a slash too many; ARM takes it, and so does the emulator.
        assertThat(JSON.readTree(get("//metadata/endpoints?api-version=2015-01-01").body())).isEqualTo(old);
        assertThat(JSON.readTree(get("/metadata/endpoints").body()).at("/error/code").asText())
                .isEqualTo("MissingApiVersionParameter");
        assertThat(arm.counters().snapshot().get("Metadata.Endpoints").calls()).isEqualTo(3);
    }

    @Test
    void azure_ads_discovery_names_the_emulators_token_endpoint() throws Exception {
        String tenant = arm.tenant();
        JsonNode v2 = JSON.readTree(get("/" + tenant + "/v2.0/.well-known/openid-configuration").body());
        assertThat(v2.path("token_endpoint").asText()).isEqualTo(arm.endpoint() + "/" + tenant
                + "/oauth2/v2.0/token");
        assertThat(v2.path("issuer").asText()).isEqualTo(arm.endpoint() + "/" + tenant + "/v2.0");
        HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(v2.path("token_endpoint").asText()))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(
                        "grant_type=client_credentials&client_id=c&client_secret=s&scope=https%3A%2F%2Fmanagement"
                                + ".azure.com%2F.default")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(token.body()).path("access_token").asText()).isNotEmpty();
        JsonNode v1 = JSON.readTree(get("/" + tenant + "/.well-known/openid-configuration").body());
        assertThat(v1.path("token_endpoint").asText()).isEqualTo(arm.endpoint() + "/" + tenant + "/oauth2/token");
    }

    @Test
    void a_route_the_emulator_does_not_serve_is_arms_not_found_and_is_counted() throws Exception {
        HttpResponse<String> r = get("/subscriptions/" + SUB + "/providers/Microsoft.Web/sites?" + V);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        assertThat(r.body()).isEqualTo("{\"error\":{\"code\":\"NotFound\",\"message\":\"The emulator serves no GET"
                + " /subscriptions/" + SUB + "/providers/Microsoft.Web/sites\"}}");
        assertThat(arm.unknownRoutes()).containsExactly("GET /subscriptions/" + SUB + "/providers/Microsoft.Web/sites");
        assertThat(arm.counters().total().otherErrors()).isEqualTo(1);
    }
}
