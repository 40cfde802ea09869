package dev.kiln.azure.internal;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.management.AzureEnvironment;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an {@code AzureProvider.Builder} produced, immutable.
 *
 * @param credential       the credential, or null for {@code DefaultAzureCredential} (none with an endpoint override)
 * @param environment      the Azure cloud
 * @param endpoint         where every ARM request goes instead (an emulator), or null
 * @param tenant           the credential's tenant, or null
 * @param httpClient       the HTTP client, or null for azure-core-http-netty's
 * @param maxAttempts      attempts per request when ARM throttles or fails transiently
 * @param operationTimeout the longest one long-running operation may take
 */
public record AzureSettings(TokenCredential credential, AzureEnvironment environment, URI endpoint, String tenant,
        HttpClient httpClient, int maxAttempts, Duration operationTimeout) {

    /** The cloud the SDK talks to: {@link #environment()}, its ARM endpoints moved to {@link #endpoint()}. */
    public AzureEnvironment effectiveEnvironment() {
        if (endpoint == null) {
            return environment;
        }
        String base = endpointText();
        Map<String, String> endpoints = new LinkedHashMap<>(environment.getEndpoints());
        endpoints.put("resourceManagerEndpointUrl", base + "/");
        endpoints.put("managementEndpointUrl", base + "/");
        endpoints.put("activeDirectoryEndpointUrl", base + "/");
        endpoints.put("activeDirectoryResourceId", base + "/");
        return new AzureEnvironment(endpoints);
    }

    /** The endpoint override without trailing slashes, or null. */
    public String endpointText() {
        return endpoint == null ? null : endpoint.toString().replaceAll("/+$", "");
    }
}
