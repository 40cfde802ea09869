package dev.kiln.emulators.azure;

import static dev.kiln.emulators.azure.ArmJson.JSON;
import static dev.kiln.emulators.azure.ArmJson.ok;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import java.time.LocalDate;

/**
 * ARM's cloud metadata, {@code GET /metadata/endpoints?api-version=...}, naming the emulator itself
 * as the resource manager and as the Azure AD authority (its token endpoint answers there): what
 * {@code az cloud register --endpoint-resource-manager URL} reads (api-version 2015-01-01: one
 * object), and what {@code ARM_CLOUD_METADATA_URL}, the SDKs' cloud settings and Azure Stack
 * tooling read (2019-05-01 and later: a list of clouds, here one, named {@value #CLOUD_NAME}: a
 * client told to use only this metadata takes its one cloud as the default, and azure-cli would
 * replace the login endpoint of a cloud named {@code AzureCloud} with Microsoft's).
 */
final class CloudMetadata {

    /** The first api-version that answers the list of clouds. */
    private static final LocalDate CLOUD_LIST = LocalDate.of(2019, 5, 1);
    /** The name of the one cloud the metadata lists. */
    static final String CLOUD_NAME = "KilnEmulator";
    private static final String MANAGEMENT_AUDIENCE = "https://management.core.windows.net/";

    private CloudMetadata() {
    }

    static Response endpoints(Request request, String apiVersion) {
        String base = request.base() + "/";
        ArrayNode audiences = JSON.createArrayNode().add(MANAGEMENT_AUDIENCE).add(base);
        if (LocalDate.parse(apiVersion.substring(0, 10)).isBefore(CLOUD_LIST)) {
            ObjectNode o = JSON.createObjectNode()
                    .put("galleryEndpoint", "https://gallery.azure.com/")
                    .put("graphEndpoint", "https://graph.windows.net/")
                    .put("portalEndpoint", "https://portal.azure.com/");
            o.putObject("authentication").put("loginEndpoint", base).set("audiences", audiences);
            return ok(o);
        }
        ObjectNode cloud = JSON.createObjectNode().put("portal", "https://portal.azure.com");
        cloud.putObject("authentication").put("loginEndpoint", base).put("tenant", "common")
                .put("identityProvider", "AAD").set("audiences", audiences);
        cloud.put("media", "https://rest.media.azure.net")
                .put("graphAudience", "https://graph.windows.net/")
                .put("graph", "https://graph.windows.net/")
                .put("name", CLOUD_NAME);
        cloud.putObject("suffixes")
                .put("azureDataLakeStoreFileSystem", "azuredatalakestore.net")
                .put("acrLoginServer", "azurecr.io")
                .put("sqlServerHostname", "database.windows.net")
                .put("azureDataLakeAnalyticsCatalogAndJob", "azuredatalakeanalytics.net")
                .put("keyVaultDns", "vault.azure.net")
                .put("storage", "core.windows.net")
                .put("azureFrontDoorEndpointSuffix", "azurefd.net");
        cloud.put("batch", "https://batch.core.windows.net/")
                .put("resourceManager", base)
                .put("vmImageAliasDoc", "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/"
                        + "arm-compute/quickstart-templates/aliases.json")
                .put("activeDirectoryDataLake", "https://datalake.azure.net/")
                .put("sqlManagement", "https://management.core.windows.net:8443/")
                .put("gallery", "https://gallery.azure.com/")
                .put("microsoftGraphResourceId", "https://graph.microsoft.com/")
                .put("appInsightsResourceId", "https://api.applicationinsights.io")
                .put("logAnalyticsResourceId", "https://api.loganalytics.io");
        return ok(JSON.createArrayNode().add(cloud));
    }
}
