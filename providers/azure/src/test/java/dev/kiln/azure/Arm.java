package dev.kiln.azure;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.azure.ArmEmulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Test fixtures written straight to the ARM emulator over its wire protocol: what a build (or a
 * person in the portal) leaves behind, made without the provider under test.
 */
final class Arm {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String V = "?api-version=2024-07-01";
    private static final String NET = "?api-version=2024-05-01";

    private final ArmEmulator arm;
    private final String subscription;
    private final HttpClient http = HttpClient.newHttpClient();

    Arm(ArmEmulator arm, String subscription) {
        this.arm = arm;
        this.subscription = subscription;
    }

    String group(String name) {
        return "/subscriptions/" + subscription + "/resourceGroups/" + name;
    }

    JsonNode put(String path, String body) {
        return send("PUT", path, body, 200, 201);
    }

    JsonNode get(String path) {
        return send("GET", path, null, 200);
    }

    int status(String method, String path) {
        try {
            return http.send(request(method, path, null), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode send(String method, String path, String body, int... ok) {
        try {
            HttpResponse<String> r = http.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
            for (int s : ok) {
                if (r.statusCode() == s) {
                    return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
                }
            }
            throw new AssertionError(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest request(String method, String path, String body) {
        String version = path.contains("Microsoft.Network") ? NET : V;
        URI uri = URI.create(arm.endpoint() + path + (path.contains("?") ? "&" + version.substring(1) : version));
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static String tags(Map<String, String> tags) {
        try {
            return JSON.writeValueAsString(tags);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    void resourceGroup(String name, String location, Map<String, String> tags) {
        put(group(name), "{\"location\":\"" + location + "\",\"tags\":" + tags(tags) + "}");
    }

    /** A generalized VM's managed image, tagged and provisioned; as packer's capture step leaves it. */
    void image(String rg, String location, String name, Map<String, String> tags) {
        String path = group(rg) + "/providers/Microsoft.Compute/images/" + name;
        putImage(rg, location, name, tags);
        awaitSucceeded(path);
    }

    /** Waits (on the system clock, as the emulator's operations run) until {@code path} is provisioned. */
    void awaitSucceeded(String path) {
        try {
            await(path).atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                    .until(() -> "Succeeded".equals(get(path).path("properties").path("provisioningState").asText()));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(path + " was not provisioned within 20 s", e);
        }
    }

    /** A managed image as its PUT leaves it: still provisioning. */
    void putImage(String rg, String location, String name, Map<String, String> tags) {
        String disk = group(rg) + "/providers/Microsoft.Compute/disks/" + name + "-src";
        put(group(rg) + "/providers/Microsoft.Compute/images/" + name, "{\"location\":\"" + location
                + "\",\"tags\":" + tags(tags) + ",\"properties\":{\"storageProfile\":{\"osDisk\":{\"osType\":"
                + "\"Linux\",\"osState\":\"Generalized\",\"managedDisk\":{\"id\":\"" + disk + "\"}}}}}");
    }

    /** A VM with its NIC, public IP, and OS disk; everything but the OS disk tagged. */
    void vmWithNetwork(String rg, String location, String name, String size, Map<String, String> tags) {
        String t = tags(tags);
        String net = group(rg) + "/providers/Microsoft.Network";
        put(net + "/virtualNetworks/" + name + "-vnet", "{\"location\":\"" + location + "\",\"tags\":" + t
                + ",\"properties\":{\"addressSpace\":{\"addressPrefixes\":[\"10.0.0.0/16\"]},\"subnets\":[{\"name\":"
                + "\"default\",\"properties\":{\"addressPrefix\":\"10.0.0.0/24\"}}]}}");
        put(net + "/publicIPAddresses/" + name + "-ip", "{\"location\":\"" + location + "\",\"tags\":" + t
                + ",\"properties\":{\"publicIPAllocationMethod\":\"Static\"}}");
        put(net + "/networkInterfaces/" + name + "-nic", "{\"location\":\"" + location + "\",\"tags\":" + t
                + ",\"properties\":{\"ipConfigurations\":[{\"name\":\"ipconfig\",\"properties\":{\"subnet\":{\"id\":\""
                + net + "/virtualNetworks/" + name + "-vnet/subnets/default\"},\"publicIPAddress\":{\"id\":\"" + net
                + "/publicIPAddresses/" + name + "-ip\"}}}]}}");
        put(group(rg) + "/providers/Microsoft.Compute/virtualMachines/" + name, "{\"location\":\"" + location
                + "\",\"tags\":" + t + ",\"properties\":{\"hardwareProfile\":{\"vmSize\":\"" + size
                + "\"},\"storageProfile\":{\"osDisk\":{\"createOption\":\"FromImage\",\"osType\":\"Linux\"}},"
                + "\"networkProfile\":{\"networkInterfaces\":[{\"id\":\"" + net + "/networkInterfaces/" + name
                + "-nic\"}]}}}");
    }

    /** A loose data disk, tagged. */
    void disk(String rg, String location, String name, Map<String, String> tags) {
        put(group(rg) + "/providers/Microsoft.Compute/disks/" + name, "{\"location\":\"" + location + "\",\"tags\":"
                + tags(tags) + ",\"properties\":{\"diskSizeGB\":32,\"creationData\":{\"createOption\":\"Empty\"}}}");
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }
}
