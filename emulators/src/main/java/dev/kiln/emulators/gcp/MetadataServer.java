package dev.kiln.emulators.gcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.emulators.spi.EmulatorServer;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The metadata server of a Compute Engine VM, as Google's client libraries reach it through
 * {@code GCE_METADATA_HOST}: packer's googlecompute asks it, once it believes it runs on Compute
 * Engine, for the default service account. Serves {@code /computeMetadata/v1/...} to requests
 * that carry {@code Metadata-Flavor: Google} (others get 403, as on a VM), for a VM of
 * {@value GceEmulator#DEFAULT_PROJECT} in {@code us-central1-a}. Counted and journaled as
 * {@code metadata.get}, never limited.
 */
final class MetadataServer implements EmulatorServer.Handler {

    static final String PREFIX = "/computeMetadata/v1/";
    private static final String PROJECT = GceEmulator.DEFAULT_PROJECT;
    private static final String NUMERIC_PROJECT = "106021330021";
    private static final String EMAIL = "kiln-emulator@" + PROJECT + ".iam.gserviceaccount.com";
    private static final Map<String, String> VALUES = Map.ofEntries(
            Map.entry("project/project-id", PROJECT),
            Map.entry("project/numeric-project-id", NUMERIC_PROJECT),
            Map.entry("instance/id", "4520031799277581759"),
            Map.entry("instance/name", "kiln-builder"),
            Map.entry("instance/hostname", "kiln-builder.us-central1-a.c." + PROJECT + ".internal"),
            Map.entry("instance/zone", "projects/" + NUMERIC_PROJECT + "/zones/us-central1-a"),
            Map.entry("instance/service-accounts/default/email", EMAIL),
            Map.entry("instance/service-accounts/default/scopes", "https://www.googleapis.com/auth/cloud-platform"),
            Map.entry("instance/service-accounts/", "default/\n" + EMAIL + "/\n"));

    private final ObjectMapper json;
    private final Consumer<Integer> journal;

    /** {@code journal} counts and journals one metadata call by its status. */
    MetadataServer(ObjectMapper json, Consumer<Integer> journal) {
        this.json = json;
        this.journal = journal;
    }

    static boolean accepts(Request request) {
        return request.path().startsWith(PREFIX) || request.path().equals("/computeMetadata/v1")
                || request.path().equals("/");
    }

    @Override
    public Response handle(Request request) throws JsonProcessingException {
        Response r = answer(request);
        journal.accept(r.status());
        return r.withHeader("Metadata-Flavor", "Google");
    }

    private Response answer(Request request) throws JsonProcessingException {
        if (request.path().equals("/")) {
            return Response.of(200, "text/plain", "computeMetadata/\n");
        }
        if (!"Google".equals(request.header("Metadata-Flavor"))) {
            return Response.of(403, "text/html", "Missing Metadata-Flavor:Google header.");
        }
        String key = request.path().length() > PREFIX.length() ? request.path().substring(PREFIX.length()) : "";
        if (key.equals("instance/service-accounts/default/token")) {
            String token = json.createObjectNode().put("access_token", "kiln-emulator-metadata-token")
                    .put("expires_in", 3599).put("token_type", "Bearer").toString();
            return Response.of(200, "application/json", token);
        }
        String value = VALUES.get(key);
        return value == null ? Response.of(404, "text/html", "Not Found") : Response.of(200, "application/text", value);
    }
}
