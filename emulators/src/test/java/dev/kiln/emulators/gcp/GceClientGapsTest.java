package dev.kiln.emulators.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What gcloud and other Google clients found missing or wrong (issue 19), over raw HTTP: every
 * fingerprint valid base64 and checked when sent back, the batch endpoint, {@code sourceImage} as an
 * image family view, operation lists and aggregated lists paged across their scopes, the discovery
 * document, and the not-found answer of a method the emulator does not serve.
 */
class GceClientGapsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String P = "kiln-test";
    private static final String ZONE = "us-east1-b";

    private GceEmulator gce;
    private String base;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        gce = GceEmulator.builder().delays(GceDelays.none()).start();
        base = gce.endpoint() + "/compute/v1/projects/" + P;
    }

    @AfterEach
    void stop() {
        gce.close();
    }

    private record Reply(int status, String body, JsonNode json) {
    }

    private Reply send(String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.startsWith("http") ? url : base + url));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.body().startsWith("{") ? JSON.readTree(r.body()) : null;
        return new Reply(r.statusCode(), r.body(), json);
    }

    private String instance(String name, String sourceImage) {
        return "{\"name\":\"" + name + "\",\"machineType\":\"zones/" + ZONE + "/machineTypes/e2-small\","
                + "\"metadata\":{\"items\":[{\"key\":\"startup-script\",\"value\":\"echo hi\"}]},"
                + "\"labels\":{\"team\":\"kiln\"},"
                + "\"disks\":[{\"boot\":true,\"autoDelete\":true,\"initializeParams\":{\"sourceImage\":\""
                + sourceImage + "\"}}],\"networkInterfaces\":[{\"network\":\"global/networks/default\"}]}";
    }

    /** Every field whose name ends in "ingerprint", anywhere in {@code node}. */
    private static List<String> fingerprints(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (e.getKey().endsWith("ingerprint")) {
                    out.add(e.getValue().asText());
                }
                out.addAll(fingerprints(e.getValue()));
            }
        } else if (node.isArray()) {
            node.forEach(n -> out.addAll(fingerprints(n)));
        }
        return out;
    }

    @Test
    void issue19_every_fingerprint_handed_out_is_base64_as_gcloud_decodes_it() throws Exception {
        send("POST", "/zones/" + ZONE + "/instances", instance("vm-1", "projects/debian-cloud/global/images/family/debian-12"));
        send("POST", "/zones/" + ZONE + "/disks", "{\"name\":\"data\",\"sizeGb\":\"20\"}");
        send("POST", "/global/images", "{\"name\":\"img\",\"sourceImage\":\"projects/debian-cloud/global/images/family/debian-11\"}");
        send("POST", "/regions/us-east1/addresses", "{\"name\":\"ip\"}");
        List<String> seen = new ArrayList<>();
        for (String url : List.of("", "/zones/" + ZONE + "/instances/vm-1", "/zones/" + ZONE + "/instances",
                "/aggregated/instances", "/zones/" + ZONE + "/disks/data", "/aggregated/disks", "/global/images/img",
                "/global/images", "/regions/us-east1/addresses/ip", "/aggregated/addresses")) {
            Reply r = send("GET", url, null);
            assertThat(r.status).as(url).isEqualTo(200);
            seen.addAll(fingerprints(r.json));
        }
        assertThat(seen).hasSizeGreaterThan(10);
        for (String f : seen) {
            assertThat(Base64.getDecoder().decode(f)).as(f).hasSize(8);
        }
        JsonNode project = send("GET", "", null).json;
        assertThat(project.at("/commonInstanceMetadata/kind").asText()).isEqualTo("compute#metadata");
        JsonNode vm = send("GET", "/zones/" + ZONE + "/instances/vm-1", null).json;
        assertThat(vm.at("/metadata/items/0/key").asText()).isEqualTo("startup-script");
        assertThat(vm.has("fingerprint")).isTrue();
        assertThat(vm.at("/tags/fingerprint").isTextual()).isTrue();
    }

    @Test
    void metadata_changes_only_with_the_current_fingerprint() throws Exception {
        String before = send("GET", "", null).json.at("/commonInstanceMetadata/fingerprint").asText();
        Reply set = send("POST", "/setCommonInstanceMetadata", "{\"fingerprint\":\"" + before + "\",\"items\":"
                + "[{\"key\":\"ssh-keys\",\"value\":\"kiln:ssh-ed25519 AAAA\"}]}");
        assertThat(set.status).isEqualTo(200);
        assertThat(set.json.path("operationType").asText()).isEqualTo("compute.projects.setCommonInstanceMetadata");
        JsonNode after = send("GET", "", null).json.path("commonInstanceMetadata");
        assertThat(after.at("/items/0/value").asText()).isEqualTo("kiln:ssh-ed25519 AAAA");
        assertThat(after.path("fingerprint").asText()).isNotEqualTo(before);

        Reply stale = send("POST", "/setCommonInstanceMetadata", "{\"fingerprint\":\"" + before + "\",\"items\":[]}");
        assertThat(stale.status).isEqualTo(412);
        assertThat(stale.body).isEqualTo("{\"error\":{\"code\":412,\"message\":\"Supplied fingerprint does not match"
                + " current metadata fingerprint.\",\"errors\":[{\"message\":\"Supplied fingerprint does not match"
                + " current metadata fingerprint.\",\"domain\":\"global\",\"reason\":\"conditionNotMet\"}],"
                + "\"status\":\"FAILED_PRECONDITION\"}}");

        send("POST", "/zones/" + ZONE + "/instances", instance("vm-1", "projects/debian-cloud/global/images/family/debian-12"));
        JsonNode labels = send("GET", "/zones/" + ZONE + "/instances/vm-1", null).json;
        assertThat(send("POST", "/zones/" + ZONE + "/instances/vm-1/setLabels", "{\"labelFingerprint\":\"AAAAAAAAAAA=\","
                + "\"labels\":{}}").status).isEqualTo(412);
        assertThat(send("POST", "/zones/" + ZONE + "/instances/vm-1/setLabels", "{\"labelFingerprint\":\""
                + labels.path("labelFingerprint").asText() + "\",\"labels\":{\"team\":\"other\"}}").status).isEqualTo(200);
        String metadata = send("GET", "/zones/" + ZONE + "/instances/vm-1", null).json.at("/metadata/fingerprint").asText();
        assertThat(send("POST", "/zones/" + ZONE + "/instances/vm-1/setMetadata", "{\"fingerprint\":\"" + metadata
                + "\",\"items\":[{\"key\":\"a\",\"value\":\"b\"}]}").status).isEqualTo(200);
        assertThat(send("GET", "/zones/" + ZONE + "/instances/vm-1", null).json.at("/metadata/items/0/key").asText())
                .isEqualTo("a");
    }

    @Test
    void issue19_source_image_takes_image_family_views_and_family_urls() throws Exception {
        String newest = "https://www.googleapis.com/compute/v1/projects/debian-cloud/global/images/"
                + "debian-12-bookworm-v20260114";
        List<String> forms = List.of("projects/debian-cloud/zones/-/imageFamilyViews/debian-12",
                "https://compute.googleapis.com/compute/v1/projects/debian-cloud/zones/" + ZONE
                        + "/imageFamilyViews/debian-12",
                "projects/debian-cloud/global/images/family/debian-12",
                "https://www.googleapis.com/compute/v1/projects/debian-cloud/global/images/family/debian-12");
        for (int i = 0; i < forms.size(); i++) {
            Reply r = send("POST", "/zones/" + ZONE + "/instances", instance("vm-" + i, forms.get(i)));
            assertThat(r.status).as(forms.get(i)).isEqualTo(200);
            assertThat(send("GET", "/zones/" + ZONE + "/disks/vm-" + i, null).json.path("sourceImage").asText())
                    .as(forms.get(i)).isEqualTo(newest);
        }
        Reply view = send("GET", gce.endpoint() + "/compute/v1/projects/debian-cloud/zones/" + ZONE
                + "/imageFamilyViews/debian-12", null);
        assertThat(view.json.at("/image/selfLink").asText()).isEqualTo(newest);

        Reply malformed = send("POST", "/zones/" + ZONE + "/instances", instance("vm-x", "debian-12"));
        assertThat(malformed.status).isEqualTo(400);
        assertThat(malformed.json.at("/error/message").asText()).isEqualTo("Invalid value for field 'sourceImage':"
                + " 'debian-12'. The URL is malformed.");
        Reply otherZone = send("POST", "/zones/" + ZONE + "/instances",
                instance("vm-y", "projects/debian-cloud/zones/mars-1-a/imageFamilyViews/debian-12"));
        assertThat(otherZone.status).isEqualTo(404);
    }

    @Test
    void issue19_operations_are_listed_per_scope_and_aggregated_across_scopes_page_by_page() throws Exception {
        send("POST", "/zones/" + ZONE + "/instances", instance("vm-1", "projects/debian-cloud/global/images/family/debian-12"));
        send("POST", "/regions/us-east1/addresses", "{\"name\":\"ip\"}");
        send("POST", "/global/images", "{\"name\":\"img\",\"sourceImage\":\"projects/debian-cloud/global/images/family/debian-11\"}");

        JsonNode zonal = send("GET", "/zones/" + ZONE + "/operations", null).json;
        assertThat(zonal.path("kind").asText()).isEqualTo("compute#operationList");
        assertThat(zonal.path("items")).hasSize(1);
        assertThat(send("GET", "/regions/us-east1/operations", null).json.path("items")).hasSize(1);
        assertThat(send("GET", "/global/operations?filter=operationType%3Dinsert", null).json.path("items")).hasSize(1);
        assertThat(send("GET", "/global/operations?filter=operationType%3Ddelete", null).json.has("items")).isFalse();

        JsonNode all = send("GET", "/aggregated/operations", null).json;
        assertThat(all.path("kind").asText()).isEqualTo("compute#operationAggregatedList");
        assertThat(all.at("/items/global/operations")).hasSize(1);
        assertThat(all.at("/items/regions~1us-east1/operations")).hasSize(1);
        assertThat(all.at("/items/zones~1us-east1-b/operations")).hasSize(1);
        assertThat(all.at("/items/zones~1us-east1-c/warning/code").asText()).isEqualTo("NO_RESULTS_ON_PAGE");
        assertThat(all.at("/items/zones~1us-east1-c/warning/message").asText())
                .isEqualTo("There are no results for scope 'zones/us-east1-c' on this page.");
        assertThat(all.has("nextPageToken")).isFalse();

        List<String> paged = new ArrayList<>();
        String token = null;
        do {
            JsonNode page = send("GET", "/aggregated/operations?maxResults=1" + (token == null ? "" : "&pageToken="
                    + token), null).json;
            page.path("items").forEach(scope -> scope.path("operations").forEach(op -> paged.add(op.path("name")
                    .asText())));
            token = page.path("nextPageToken").asText(null);
        } while (token != null);
        assertThat(paged).hasSize(3).doesNotHaveDuplicates();

        JsonNode types = send("GET", "/aggregated/machineTypes?filter=name%3De2-small&maxResults=500", null).json;
        assertThat(types.at("/items/zones~1us-east1-b/machineTypes/0/name").asText()).isEqualTo("e2-small");
        assertThat(send("GET", "/regions?filter=name%3Dus-east1", null).json.path("items")).hasSize(1);
        assertThat(send("GET", "/zones?maxResults=2", null).json.path("nextPageToken").asText()).isEqualTo("kiln-2");
        assertThat(send("GET", "/zones?pageToken=bogus", null).status).isEqualTo(400);
    }

    @Test
    void issue19_the_batch_endpoint_answers_each_part_in_order_and_counts_each_call() throws Exception {
        String boundary = "===============7330845974216740156==";
        String body = "--" + boundary + "\n"
                + "Content-Type: application/http\nMIME-Version: 1.0\nContent-Transfer-Encoding: binary\n"
                + "Content-ID: <0a1b + 1>\n\n"
                + "GET /compute/v1/projects/" + P + "/zones/" + ZONE + "?alt=json HTTP/1.1\n"
                + "Content-Type: application/json\nMIME-Version: 1.0\naccept: application/json\nHost: compute\n\n\n"
                + "--" + boundary + "\n"
                + "Content-Type: application/http\nMIME-Version: 1.0\nContent-Transfer-Encoding: binary\n"
                + "Content-ID: <0a1b + 2>\n\n"
                + "POST /compute/v1/projects/" + P + "/regions/us-east1/addresses HTTP/1.1\n"
                + "Content-Type: application/json\ncontent-length: 13\n\n{\"name\":\"ip\"}\n"
                + "--" + boundary + "\n"
                + "Content-Type: application/http\nContent-ID: <0a1b + 3>\n\n"
                + "GET /compute/v1/projects/" + P + "/global/images/nope HTTP/1.1\n\n\n"
                + "--" + boundary + "--\n";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gce.endpoint() + "/batch/compute/v1"))
                .header("Content-Type", "multipart/mixed; boundary=\"" + boundary + "\"")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        String type = r.headers().firstValue("Content-Type").orElseThrow();
        assertThat(type).matches("multipart/mixed; boundary=batch_\\w+");
        String delimiter = "--" + type.substring(type.indexOf('=') + 1);
        String[] parts = r.body().split(java.util.regex.Pattern.quote(delimiter));
        assertThat(parts).hasSize(5);
        assertThat(parts[0]).isEmpty();
        assertThat(parts[4]).isEqualTo("--\r\n");
        assertThat(parts[1]).startsWith("\r\nContent-Type: application/http\r\nContent-ID: <response-0a1b + 1>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\n").contains("\"name\":\"" + ZONE
                + "\"");
        assertThat(parts[2]).contains("Content-ID: <response-0a1b + 2>", "HTTP/1.1 200 OK", "\"operationType\":\"insert\"");
        assertThat(parts[3]).contains("Content-ID: <response-0a1b + 3>", "HTTP/1.1 404 Not Found",
                "\"reason\":\"notFound\"");
        assertThat(gce.counters().snapshot()).containsKeys("batch", "zones.get", "addresses.insert", "images.get");
        assertThat(gce.counters().snapshot().get("batch").calls()).isEqualTo(1);

        HttpResponse<String> notMultipart = http.send(HttpRequest.newBuilder(URI.create(gce.endpoint()
                + "/batch/compute/v1")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers
                .ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notMultipart.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notMultipart.body()).at("/error/status").asText()).isEqualTo("INVALID_ARGUMENT");
    }

    @Test
    void the_discovery_document_names_the_emulator_and_every_method_it_serves() throws Exception {
        JsonNode doc = send("GET", gce.endpoint() + "/discovery/v1/apis/compute/v1/rest", null).json;
        assertThat(doc.path("rootUrl").asText()).isEqualTo(gce.endpoint() + "/");
        assertThat(doc.path("servicePath").asText()).isEqualTo("compute/v1/");
        assertThat(doc.path("batchPath").asText()).isEqualTo("batch/compute/v1");
        assertThat(doc.at("/resources/globalOperations/methods/aggregatedList/path").asText())
                .isEqualTo("projects/{project}/aggregated/operations");
        assertThat(doc.at("/resources/instances/methods/insert/parameterOrder").toString())
                .isEqualTo("[\"project\",\"zone\"]");
        assertThat(doc.at("/schemas/InstanceList/properties/nextPageToken/type").asText()).isEqualTo("string");
        assertThat(send("GET", gce.endpoint() + "/$discovery/rest?version=v1", null).json).isEqualTo(doc);
    }

    @Test
    void a_method_the_emulator_does_not_serve_is_compute_engines_not_found_and_is_counted() throws Exception {
        Reply r = send("GET", "/zones/" + ZONE + "/instanceGroups", null);
        assertThat(r.status).isEqualTo(404);
        assertThat(r.body).isEqualTo("{\"error\":{\"code\":404,\"message\":\"The requested URL GET /compute/v1/projects/"
                + P + "/zones/" + ZONE + "/instanceGroups was not found on this server.\",\"errors\":[{\"message\":"
                + "\"The requested URL GET /compute/v1/projects/" + P + "/zones/" + ZONE + "/instanceGroups was not"
                + " found on this server.\",\"domain\":\"global\",\"reason\":\"notFound\"}],\"status\":\"NOT_FOUND\"}}");
        assertThat(gce.unknownRoutes()).containsExactly("GET /compute/v1/projects/" + P + "/zones/" + ZONE
                + "/instanceGroups");
        assertThat(gce.counters().total().otherErrors()).isEqualTo(1);
    }
}
