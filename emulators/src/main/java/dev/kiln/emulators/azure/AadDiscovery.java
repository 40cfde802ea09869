package dev.kiln.emulators.azure;

import static dev.kiln.emulators.azure.ArmJson.JSON;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.spi.EmulatorServer;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Azure AD's OpenID Connect discovery, {@code GET /{tenant}/v2.0/.well-known/openid-configuration}
 * (and the v1 {@code /{tenant}/.well-known/openid-configuration}), naming the emulator's own token
 * endpoint: MSAL (and so azure-identity and {@code az}) reads it before asking for a token from an
 * authority it does not know, such as {@code https://127.0.0.1:PORT/TENANT}. Counted and journaled
 * as {@code Token.Discovery}, like the token endpoint, and never limited.
 */
final class AadDiscovery implements EmulatorServer.Handler {

    private final BiConsumer<String, String> journal;

    /** {@code journal} counts and journals one call by tenant and action. */
    AadDiscovery(BiConsumer<String, String> journal) {
        this.journal = journal;
    }

    static boolean accepts(Request request) {
        List<String> segs = ArmProtocol.segments(request.path());
        int n = segs.size();
        return request.method().equals("GET") && n >= 3 && segs.get(n - 2).equals(".well-known")
                && segs.get(n - 1).equals("openid-configuration") && (n == 3 || n == 4 && segs.get(1).equals("v2.0"));
    }

    @Override
    public Response handle(Request request) {
        List<String> segs = ArmProtocol.segments(request.path());
        String tenant = segs.get(0);
        boolean v2 = segs.size() == 4;
        String authority = request.base() + "/" + tenant;
        String oauth = authority + (v2 ? "/oauth2/v2.0" : "/oauth2");
        ObjectNode o = JSON.createObjectNode()
                .put("token_endpoint", oauth + "/token")
                .put("authorization_endpoint", oauth + "/authorize")
                .put("device_authorization_endpoint", oauth + "/devicecode")
                .put("issuer", v2 ? authority + "/v2.0" : "https://sts.windows.net/" + tenant + "/")
                .put("jwks_uri", authority + "/discovery" + (v2 ? "/v2.0" : "") + "/keys")
                .put("tenant_region_scope", "NA")
                .put("cloud_instance_name", "microsoftonline.com");
        o.putArray("token_endpoint_auth_methods_supported").add("client_secret_post").add("private_key_jwt")
                .add("client_secret_basic");
        o.putArray("response_modes_supported").add("query").add("fragment").add("form_post");
        o.putArray("response_types_supported").add("code").add("id_token").add("code id_token")
                .add("id_token token");
        o.putArray("scopes_supported").add("openid").add("profile").add("email").add("offline_access");
        journal.accept(tenant, "Token.Discovery");
        return ArmJson.ok(o);
    }
}
