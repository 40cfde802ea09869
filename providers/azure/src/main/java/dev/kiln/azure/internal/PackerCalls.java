package dev.kiln.azure.internal;

import dev.kiln.spi.ApiRequest;
import dev.kiln.spi.ApiResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * packer azure-arm's own ARM calls, as Kiln's network sees them: classified exactly as Kiln's own
 * SDK calls are ({@link GatePolicy#apiOf(String, String)}: ARM read, write or delete, and the Compute
 * policy a VM or operation call also charges), and their {@code x-ms-ratelimit-remaining-*} headers
 * read the same way. Azure AD's token calls ({@code login.microsoftonline.com}) are not ARM's and
 * are not metered.
 */
public final class PackerCalls {

    /** Resource Manager, the one host whose calls ARM's limits count. */
    public static final List<String> HOSTS = List.of("management.azure.com");

    private PackerCalls() {
    }

    public static Optional<String> classify(ApiRequest request) {
        return request.host().equals("management.azure.com")
                ? Optional.of(GatePolicy.apiOf(request.method(), request.path())) : Optional.empty();
    }

    public static Map<String, Long> remaining(ApiResponse response) {
        return GatePolicy.remaining(name -> response.header(name).orElse(null));
    }
}
