package dev.kiln.emulators.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The shared admin API counts the GCE emulator's calls and finds its resources by label. */
class GceAdminTest {

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theAdminApiCountsCallsAndFindsResourcesByLabel() throws Exception {
        try (GceEmulator gce = GceEmulator.start()) {
            theAdminApiSees(gce);
        }
    }

    private static void theAdminApiSees(GceEmulator gce) throws Exception {
        try (Sdk sdk = new Sdk(gce)) {
            sdk.instances.insertCallable().call(com.google.cloud.compute.v1.InsertInstanceRequest.newBuilder()
                    .setProject("kiln-test").setZone("us-east1-b")
                    .setInstanceResource(GceRoundTripTest.buildInstance("builder-1", "e2-micro", "b-9")).build());
        }
        String base = gce.endpoint() + "/_kiln/";
        assertThat(send(HttpRequest.newBuilder(URI.create(base + "health")).build()).body())
                .isEqualTo("{\"provider\":\"gcp\",\"status\":\"up\"}");
        assertThat(send(HttpRequest.newBuilder(URI.create(base + "counters")).build()).body())
                .contains("\"instances.insert\":{\"calls\":1,");
        assertThat(send(HttpRequest.newBuilder(URI.create(base + "resources?tagKey=kiln-build-id&tagValue=b-9"))
                .build()).body()).contains("\"type\":\"instance\",\"id\":\"builder-1\"", "\"type\":\"disk\"");

        assertThat(send(HttpRequest.newBuilder(URI.create(base + "reset")).POST(HttpRequest.BodyPublishers.noBody())
                .build()).statusCode()).isEqualTo(200);
        assertThat(gce.resourcesTagged("kiln-build-id", "b-9")).isEmpty();
    }
}
