package dev.kiln.emulators.azure;

import static dev.kiln.emulators.azure.ArmJson.JSON;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.spi.EmulatorServer;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import dev.kiln.emulators.spi.Query;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A minimal Azure AD token endpoint, {@code /{tenant}/oauth2/token} and
 * {@code /{tenant}/oauth2/v2.0/token}: a client-credentials token for anyone, an unsigned JWT that
 * is enough for clients that read its claims. Azure AD is not ARM: its calls are counted and
 * journaled ({@code Token.Acquire}) but neither limited nor fault-injected.
 */
final class AadTokens implements EmulatorServer.Handler {

    private final ArmWorld world;
    private final BiConsumer<String, String> journal;

    /** {@code journal} counts and journals one token call by tenant and action. */
    AadTokens(ArmWorld world, BiConsumer<String, String> journal) {
        this.world = world;
        this.journal = journal;
    }

    /** Whether {@code request} asks for a token. */
    static boolean accepts(Request request) {
        List<String> segs = ArmProtocol.segments(request.path());
        int n = segs.size();
        return n >= 3 && segs.get(n - 1).equals("token") && (segs.get(1).equals("oauth2")
                && (n == 3 || n == 4 && segs.get(2).equals("v2.0")));
    }

    @Override
    public Response handle(Request request) throws JsonProcessingException {
        Query form = Query.parse(request.bodyText());
        String tenant = ArmProtocol.segments(request.path()).get(0);
        String client = form.value("client_id", "kiln-emulator-client");
        String resource = form.value("resource", form.value("scope", "https://management.azure.com/"));
        long now = world.now().getEpochSecond();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        ObjectNode claims = JSON.createObjectNode().put("aud", resource).put("iss", "https://sts.windows.net/" + tenant
                + "/").put("iat", now).put("nbf", now).put("exp", now + 3600).put("appid", client)
                .put("oid", ArmEmulator.OBJECT_ID).put("sub", ArmEmulator.OBJECT_ID).put("tid", tenant);
        String jwt = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(JSON.writeValueAsBytes(claims)) + ".";
        ObjectNode o = JSON.createObjectNode().put("token_type", "Bearer").put("expires_in", "3599")
                .put("ext_expires_in", "3599").put("expires_on", Long.toString(now + 3599))
                .put("not_before", Long.toString(now)).put("resource", resource).put("access_token", jwt);
        journal.accept(tenant, "Token.Acquire");
        return ArmJson.ok(o);
    }
}
