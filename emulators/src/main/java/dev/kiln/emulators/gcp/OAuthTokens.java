package dev.kiln.emulators.gcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.spi.EmulatorServer;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import dev.kiln.emulators.spi.Query;

/**
 * Answers any OAuth 2.0 token request (service-account JWT bearer, refresh token) at
 * {@value #PATH} with a token that is not checked anywhere, so real Google credentials, pointed
 * here by their {@code token_uri}, work against the emulator. Google's token service is not
 * Compute Engine: its calls are counted and journaled as {@code oauth2.token}, never limited or
 * fault-injected.
 */
final class OAuthTokens implements EmulatorServer.Handler {

    /** Where the emulator answers token requests (a credentials file's {@code token_uri}). */
    static final String PATH = "/token";
    private static final String JSON_TYPE = "application/json; charset=UTF-8";

    private final ObjectMapper json;
    private final Runnable journal;

    /** {@code journal} counts and journals one token call. */
    OAuthTokens(ObjectMapper json, Runnable journal) {
        this.json = json;
        this.journal = journal;
    }

    static boolean accepts(Request request) {
        return request.path().equals(PATH) && request.method().equals("POST");
    }

    @Override
    public Response handle(Request request) throws JsonProcessingException {
        String grant = Query.parse(request.bodyText()).value("grant_type", "");
        journal.run();
        ObjectNode n = json.createObjectNode()
                .put("access_token", "kiln-emulator-token-" + Math.abs((long) grant.hashCode()))
                .put("expires_in", 3600)
                .put("token_type", "Bearer");
        return Response.of(200, JSON_TYPE, json.writeValueAsString(n));
    }
}
