package dev.kiln.emulators.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Stands in for packer 1.6.6's azure-arm builder, which cannot be pointed at a plain-HTTP
 * emulator: it makes the same ARM calls in the same order (see {@code PACKER_CALLS.md} beside
 * this class) — token, pre-checks, temporary resource group, template validation and deployment,
 * public IP, VM reads, deallocate, generalize, managed image capture, optional gallery version,
 * then the cleanup of the VM, the deployment's resources, the OS disk, the deployment and the
 * temporary group — and honours 429 + {@code Retry-After} and long-running operations the way
 * go-autorest does. A packer template runs it from a {@code shell-local} provisioner of a null
 * builder:
 *
 * <pre>
 * java -cp kiln-emulators.jar dev.kiln.emulators.azure.ArmBuildStandIn --image-name NAME --build-id ID
 *     [--expires-at EPOCH_SECONDS]
 * </pre>
 *
 * Everything it creates is tagged as the template's {@code azure_tags} would tag it:
 * {@code kiln-build-id}, and {@code kiln-expires-at} when {@code --expires-at} is given (Kiln's
 * {@code kiln_expires_at}; empty means none). Like packer's, the tags reach the managed image too.
 *
 * Settings come from arguments, else from the environment Kiln's Azure provider hands packer:
 * {@code --endpoint} ({@code KILN_AZURE_ENDPOINT}), {@code --subscription}
 * ({@code KILN_AZURE_SUBSCRIPTION}), {@code --location} ({@code KILN_AZURE_REGION}),
 * {@code --resource-group} ({@code KILN_AZURE_RESOURCE_GROUP}), {@code --gallery} /
 * {@code --gallery-image} ({@code KILN_AZURE_GALLERY}, {@code KILN_AZURE_GALLERY_IMAGE}) with
 * {@code --gallery-version}, {@code --poll-seconds} ({@code KILN_AZURE_POLL_SECONDS}: the shortest
 * wait between two polls), {@code --vm-size} (default {@code Standard_D2s_v3}). Exit status 0
 * when the image exists, 1 when the build failed (after cleaning up), 2 for bad arguments.
 */
public final class ArmBuildStandIn {

    /** Exit status for bad arguments. */
    public static final int USAGE = 2;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESOURCES = "2019-10-01";
    private static final String COMPUTE = "2019-12-01";
    private static final String NETWORK = "2018-01-01";
    private static final String GALLERY = "2019-12-01";
    /** go-autorest's polling delay when an answer gives no Retry-After. */
    private static final Duration DEFAULT_POLL = Duration.ofSeconds(60);
    /** go-autorest retries a 429 until it succeeds; this stand-in gives up after this many. */
    private static final int MAX_THROTTLED = 60;
    private static final int MAX_ATTEMPTS = 3;

    private final Map<String, String> opt;
    private final PrintStream out;
    private final TimeSource time;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String sub;
    private final String location;
    private final String imageGroup;
    private final String buildId;
    private final String expiresAt;
    private final Duration minPoll;
    private String token;
    private int throttled;

    private ArmBuildStandIn(Map<String, String> opt, PrintStream out, TimeSource time) {
        this.opt = opt;
        this.out = out;
        this.time = time;
        this.base = opt.get("endpoint").replaceAll("/+$", "");
        this.sub = opt.get("subscription");
        this.location = opt.get("location");
        this.imageGroup = opt.get("resource-group");
        this.buildId = opt.get("build-id");
        this.expiresAt = opt.getOrDefault("expires-at", "").isBlank() ? null : opt.get("expires-at");
        this.minPoll = Duration.ofSeconds(Long.parseLong(opt.getOrDefault("poll-seconds", "0")));
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.getenv(), System.out, System.err, TimeSource.system()));
    }

    /** Runs one build and returns its exit status. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err, TimeSource time)
            throws InterruptedException {
        Map<String, String> opt = new LinkedHashMap<>();
        put(opt, "endpoint", env.get("KILN_AZURE_ENDPOINT"));
        put(opt, "subscription", env.get("KILN_AZURE_SUBSCRIPTION"));
        put(opt, "location", env.get("KILN_AZURE_REGION"));
        put(opt, "resource-group", env.get("KILN_AZURE_RESOURCE_GROUP"));
        put(opt, "gallery", env.get("KILN_AZURE_GALLERY"));
        put(opt, "gallery-image", env.get("KILN_AZURE_GALLERY_IMAGE"));
        put(opt, "poll-seconds", env.get("KILN_AZURE_POLL_SECONDS"));
        opt.put("vm-size", "Standard_D2s_v3");
        opt.put("tenant", ArmEmulator.DEFAULT_TENANT);
        opt.put("client-id", "kiln-stand-in");
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                err.println("azure-arm stand-in: expected --name value pairs, got '" + args[i] + "'");
                return USAGE;
            }
            opt.put(args[i].substring(2), args[++i]);
        }
        for (String required : List.of("endpoint", "subscription", "location", "resource-group", "image-name",
                "build-id")) {
            if (opt.get(required) == null || opt.get(required).isBlank()) {
                err.println("azure-arm stand-in: --" + required + " is required (or its KILN_AZURE_* variable)");
                return USAGE;
            }
        }
        try {
            Long.parseLong(opt.getOrDefault("poll-seconds", "0"));
        } catch (NumberFormatException e) {
            err.println("azure-arm stand-in: --poll-seconds takes whole seconds, got '" + opt.get("poll-seconds") + "'");
            return USAGE;
        }
        ArmBuildStandIn build = new ArmBuildStandIn(opt, out, time);
        try {
            build.build();
            return 0;
        } catch (BuildFailed e) {
            err.println("==> azure-arm: " + e.getMessage());
            err.println("Build 'azure-arm' errored: " + e.getMessage());
            return 1;
        }
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null && !v.isBlank()) {
            m.put(k, v);
        }
    }

    private void say(String line) {
        out.println("==> azure-arm: " + line);
        out.flush();
    }

    // --- the build

    private void build() throws InterruptedException {
        Random random = new Random(buildId.hashCode() ^ time.nanoTime());
        String suffix = Long.toString(Math.abs(random.nextLong()), 36);
        suffix = (suffix + "0000000000").substring(0, 10);
        String tempGroup = "pkr-Resource-Group-" + suffix;
        String deployment = "pkrdp" + suffix;
        String vm = "pkrvm" + suffix;
        String ip = "pkrip" + suffix;
        String nic = "pkrni" + suffix;
        String vnet = "pkrvn" + suffix;
        String osDisk = "pkros" + suffix;
        String imageName = opt.get("image-name");
        String rg = "/subscriptions/" + sub + "/resourcegroups/";
        String temp = rg + tempGroup;
        String images = rg + imageGroup + "/providers/Microsoft.Compute/images/";

        say("Running builder ...");
        say("Getting tokens using client secret");
        token("https://management.azure.com/");
        token("https://vault.azure.net");
        say("Creating Azure Resource Manager (ARM) client ...");
        if (call("GET", rg + imageGroup, RESOURCES, null, "resources.GroupsClient#Get").status != 200) {
            throw new BuildFailed("Cannot locate the managed image resource group " + imageGroup + ".");
        }
        if (call("GET", images + imageName, COMPUTE, null, "compute.ImagesClient#Get").status == 200) {
            throw new BuildFailed("the managed image named " + imageName + " already exists in the resource group "
                    + imageGroup + ", use the -force option to automatically delete it.");
        }
        String galleryImage = null;
        if (opt.get("gallery") != null) {
            galleryImage = rg + imageGroup + "/providers/Microsoft.Compute/galleries/" + opt.get("gallery")
                    + "/images/" + opt.get("gallery-image");
            if (call("GET", galleryImage, GALLERY, null, "compute.GalleryImagesClient#Get").status != 200) {
                throw new BuildFailed("the Shared Gallery Image to which to publish the managed image version to"
                        + " does not exist in the resource group " + imageGroup);
            }
        }
        List<Runnable> cleanups = new ArrayList<>();
        BuildFailed failure = null;
        try {
            say("Creating resource group ...");
            say(" -> ResourceGroupName : '" + tempGroup + "'");
            say(" -> Location          : '" + location + "'");
            say(" -> Tags              :");
            say(" ->> kiln-build-id : " + buildId);
            if (expiresAt != null) {
                say(" ->> kiln-expires-at : " + expiresAt);
            }
            if (call("HEAD", temp, RESOURCES, null, "resources.GroupsClient#CheckExistence").status == 204) {
                throw new BuildFailed("Cannot create a resource group that already exists: " + tempGroup);
            }
            ok(call("PUT", temp, RESOURCES, "{\"location\":\"" + location + "\",\"tags\":" + tags() + "}",
                    "resources.GroupsClient#CreateOrUpdate"), "creating the resource group");
            cleanups.add(0, () -> deleteGroup(temp, tempGroup));

            String body = deploymentBody(vm, ip, nic, vnet, osDisk);
            String dep = temp + "/providers/Microsoft.Resources/deployments/" + deployment;
            say("Validating deployment template ...");
            ok(call("POST", dep + "/validate", RESOURCES, body, "resources.DeploymentsClient#Validate"),
                    "validating the deployment template");
            say("Deploying deployment template ...");
            cleanups.add(0, () -> cleanupDeployment(temp, dep, vm, osDisk));
            Reply put = ok(call("PUT", dep, RESOURCES, body, "resources.DeploymentsClient#CreateOrUpdate"),
                    "deploying the template");
            await(put, dep, RESOURCES, "resources.DeploymentsClient#CreateOrUpdate");

            say("Getting the VM's IP address ...");
            Reply pip = ok(call("GET", temp + "/providers/Microsoft.Network/publicIPAddresses/" + ip, NETWORK, null,
                    "network.PublicIPAddressesClient#Get"), "reading the public IP");
            say(" -> Public IP         : '" + pip.json.path("properties").path("ipAddress").asText() + "'");
            String vmPath = temp + "/providers/Microsoft.Compute/virtualMachines/" + vm;
            say("Querying the machine's properties ...");
            Reply vmInfo = ok(call("GET", vmPath, COMPUTE, null, "compute.VirtualMachinesClient#Get"),
                    "reading the VM");
            say(" -> Managed OS Disk   : '" + vmInfo.json.path("properties").path("storageProfile").path("osDisk")
                    .path("managedDisk").path("id").asText() + "'");
            say("Querying the machine's additional disks properties ...");
            ok(call("GET", vmPath, COMPUTE, null, "compute.VirtualMachinesClient#Get"), "reading the VM's disks");
            say("Powering off machine ...");
            Reply off = ok(call("POST", vmPath + "/deallocate", COMPUTE, null,
                    "compute.VirtualMachinesClient#Deallocate"), "deallocating the VM");
            await(off, null, COMPUTE, "compute.VirtualMachinesClient#Deallocate");
            say("Capturing image ...");
            ok(call("POST", vmPath + "/generalize", COMPUTE, null, "compute.VirtualMachinesClient#Generalize"),
                    "generalizing the VM");
            String image = images + imageName;
            Reply capture = ok(call("PUT", image, COMPUTE, "{\"location\":\"" + location + "\",\"tags\":" + tags()
                    + ",\"properties\":{\"sourceVirtualMachine\":{\"id\":\"" + vmInfo.json.path("id").asText()
                    + "\"}}}", "compute.ImagesClient#CreateOrUpdate"), "capturing the image");
            await(capture, image, COMPUTE, "compute.ImagesClient#CreateOrUpdate");
            if (galleryImage != null) {
                String version = opt.getOrDefault("gallery-version", "1.0.0");
                say("Publishing to Shared Image Gallery ...");
                String v = galleryImage + "/versions/" + version;
                Reply pub = ok(call("PUT", v, GALLERY, "{\"location\":\"" + location + "\",\"tags\":" + tags()
                        + ",\"properties\":{\"publishingProfile\":{\"targetRegions\":[{\"name\":\"" + location
                        + "\"}]},\"storageProfile\":{\"source\":{\"id\":\"" + image.replace("/resourcegroups/",
                        "/resourceGroups/") + "\"}}}}", "compute.GalleryImageVersionsClient#CreateOrUpdate"),
                        "publishing the gallery image version");
                await(pub, v, GALLERY, "compute.GalleryImageVersionsClient#CreateOrUpdate");
            }
        } catch (BuildFailed e) {
            failure = e;
        } finally {
            for (Runnable cleanup : cleanups) {
                try {
                    cleanup.run();
                } catch (BuildFailed e) {
                    say("Error during cleanup: " + e.getMessage());
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        say("Build 'azure-arm' finished: ManagedImageResourceGroupName: " + imageGroup + " ManagedImageName: "
                + imageName + " ManagedImageId: " + images.replace("/resourcegroups/", "/resourceGroups/") + imageName
                + " ManagedImageLocation: " + location);
        if (throttled > 0) {
            say("ARM throttled " + throttled + " call(s) of this build (429 TooManyRequests); all were retried");
        }
    }

    /** The template's {@code azure_tags}, which packer puts on every resource it creates, the image included. */
    private ObjectNode tagNode() {
        ObjectNode tags = JSON.createObjectNode().put("kiln-build-id", buildId);
        if (expiresAt != null) {
            tags.put("kiln-expires-at", expiresAt);
        }
        return tags;
    }

    private String tags() {
        return tagNode().toString();
    }

    /** The template packer's azure-arm deploys for a Linux VM from a platform image (trimmed to what ARM reads). */
    private String deploymentBody(String vm, String ip, String nic, String vnet, String osDisk) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode props = root.putObject("properties");
        props.put("mode", "Incremental");
        ObjectNode params = props.putObject("parameters");
        params.putObject("vmName").put("value", vm);
        params.putObject("vmSize").put("value", opt.get("vm-size"));
        params.putObject("adminUsername").put("value", "packer");
        params.putObject("publicIPAddressName").put("value", ip);
        params.putObject("nicName").put("value", nic);
        params.putObject("virtualNetworkName").put("value", vnet);
        params.putObject("osDiskName").put("value", osDisk);
        ObjectNode t = props.putObject("template");
        t.put("$schema", "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#");
        t.put("contentVersion", "1.0.0.0");
        ObjectNode declared = t.putObject("parameters");
        for (String p : List.of("vmName", "vmSize", "adminUsername", "publicIPAddressName", "nicName",
                "virtualNetworkName", "osDiskName")) {
            declared.putObject(p).put("type", "string");
        }
        ObjectNode vars = t.putObject("variables");
        vars.put("location", "[resourceGroup().location]");
        vars.put("subnetName", "packerSubnet");
        vars.put("addressPrefix", "10.0.0.0/16");
        vars.put("subnetAddressPrefix", "10.0.0.0/24");
        vars.put("vnetID", "[resourceId('Microsoft.Network/virtualNetworks', parameters('virtualNetworkName'))]");
        vars.put("subnetRef", "[concat(variables('vnetID'),'/subnets/',variables('subnetName'))]");
        ArrayNode resources = t.putArray("resources");
        ObjectNode tags = tagNode();
        ObjectNode pip = resources.addObject();
        pip.put("apiVersion", NETWORK).put("type", "Microsoft.Network/publicIPAddresses")
                .put("name", "[parameters('publicIPAddressName')]").put("location", "[variables('location')]");
        pip.set("tags", tags.deepCopy());
        pip.putObject("properties").put("publicIPAllocationMethod", "Dynamic");
        ObjectNode net = resources.addObject();
        net.put("apiVersion", NETWORK).put("type", "Microsoft.Network/virtualNetworks")
                .put("name", "[parameters('virtualNetworkName')]").put("location", "[variables('location')]");
        net.set("tags", tags.deepCopy());
        ObjectNode netProps = net.putObject("properties");
        netProps.putObject("addressSpace").putArray("addressPrefixes").add("[variables('addressPrefix')]");
        netProps.putArray("subnets").addObject().put("name", "[variables('subnetName')]").putObject("properties")
                .put("addressPrefix", "[variables('subnetAddressPrefix')]");
        ObjectNode n = resources.addObject();
        n.put("apiVersion", NETWORK).put("type", "Microsoft.Network/networkInterfaces")
                .put("name", "[parameters('nicName')]").put("location", "[variables('location')]");
        n.set("tags", tags.deepCopy());
        n.putArray("dependsOn").add("[concat('Microsoft.Network/publicIPAddresses/', parameters('publicIPAddressName'))]")
                .add("[concat('Microsoft.Network/virtualNetworks/', parameters('virtualNetworkName'))]");
        ObjectNode ipConfig = n.putObject("properties").putArray("ipConfigurations").addObject();
        ipConfig.put("name", "ipconfig");
        ObjectNode ipProps = ipConfig.putObject("properties");
        ipProps.put("privateIPAllocationMethod", "Dynamic");
        ipProps.putObject("publicIPAddress").put("id",
                "[resourceId('Microsoft.Network/publicIPAddresses', parameters('publicIPAddressName'))]");
        ipProps.putObject("subnet").put("id", "[variables('subnetRef')]");
        ObjectNode machine = resources.addObject();
        machine.put("apiVersion", COMPUTE).put("type", "Microsoft.Compute/virtualMachines")
                .put("name", "[parameters('vmName')]").put("location", "[variables('location')]");
        machine.set("tags", tags.deepCopy());
        machine.putArray("dependsOn").add("[concat('Microsoft.Network/networkInterfaces/', parameters('nicName'))]");
        ObjectNode mp = machine.putObject("properties");
        mp.putObject("hardwareProfile").put("vmSize", "[parameters('vmSize')]");
        mp.putObject("osProfile").put("computerName", "[parameters('vmName')]")
                .put("adminUsername", "[parameters('adminUsername')]");
        ObjectNode storage = mp.putObject("storageProfile");
        storage.putObject("imageReference").put("publisher", "Canonical").put("offer", "UbuntuServer")
                .put("sku", "18.04-LTS").put("version", "latest");
        storage.putObject("osDisk").put("name", "[parameters('osDiskName')]").put("osType", "Linux")
                .put("createOption", "FromImage").put("caching", "ReadWrite").putObject("managedDisk")
                .put("storageAccountType", "Standard_LRS");
        mp.putObject("networkProfile").putArray("networkInterfaces").addObject().put("id",
                "[resourceId('Microsoft.Network/networkInterfaces', parameters('nicName'))]");
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- cleanup, as StepDeployTemplate.Cleanup and StepCreateResourceGroup.Cleanup do it

    private void cleanupDeployment(String temp, String dep, String vm, String osDisk) {
        say("Deleting individual resources ...");
        String vmPath = temp + "/providers/Microsoft.Compute/virtualMachines/" + vm;
        Reply info = call("GET", vmPath, COMPUTE, null, "compute.VirtualMachinesClient#Get");
        String disk = info.status == 200 ? info.json.path("properties").path("storageProfile").path("osDisk")
                .path("managedDisk").path("id").asText("") : "";
        say("Deleting -> Microsoft.Compute/virtualMachines : '" + vm + "'");
        deleteAndWait(vmPath, COMPUTE, "compute.VirtualMachinesClient#Delete");
        Reply ops = call("GET", dep + "/operations", RESOURCES, null, "resources.DeploymentOperationsClient#List");
        List<String[]> targets = new ArrayList<>();
        for (JsonNode op : ops.json.path("value")) {
            JsonNode target = op.path("properties").path("targetResource");
            if (target.isObject() && !target.path("resourceType").asText().equals("Microsoft.Compute/virtualMachines")) {
                targets.add(new String[] {target.path("resourceType").asText(), target.path("resourceName").asText(),
                        target.path("id").asText()});
            }
        }
        // Network interfaces first, then what they use: ARM refuses to delete a public IP or a
        // virtual network a NIC still holds.
        targets.sort((a, b) -> Integer.compare(order(a[0]), order(b[0])));
        for (String[] t : targets) {
            say("Deleting -> " + t[0] + " : '" + t[1] + "'");
            String path = t[2].replace("/resourceGroups/", "/resourcegroups/");
            deleteAndWait(path, t[0].startsWith("Microsoft.Network") ? NETWORK : COMPUTE, switch (t[0]) {
                case "Microsoft.Network/networkInterfaces" -> "network.InterfacesClient#Delete";
                case "Microsoft.Network/publicIPAddresses" -> "network.PublicIPAddressesClient#Delete";
                case "Microsoft.Network/virtualNetworks" -> "network.VirtualNetworksClient#Delete";
                default -> "resources.Client#Delete";
            });
        }
        if (!disk.isEmpty()) {
            say("Deleting -> Microsoft.Compute/disks : '" + osDisk + "'");
            deleteAndWait(disk.replace("/resourceGroups/", "/resourcegroups/"), COMPUTE, "compute.DisksClient#Delete");
        }
        say("Removing the created Deployment object: '" + dep.substring(dep.lastIndexOf('/') + 1) + "'");
        deleteAndWait(dep, RESOURCES, "resources.DeploymentsClient#Delete");
    }

    private static int order(String type) {
        return switch (type) {
            case "Microsoft.Network/networkInterfaces" -> 0;
            case "Microsoft.Network/publicIPAddresses" -> 1;
            default -> 2;
        };
    }

    private void deleteGroup(String temp, String name) {
        say("Cleanup requested, deleting resource group ...");
        deleteAndWait(temp, RESOURCES, "resources.GroupsClient#Delete");
        say("Resource group has been deleted.");
    }

    private void deleteAndWait(String path, String version, String op) {
        Reply r = call("DELETE", path, version, null, op);
        if (r.status == 200 || r.status == 204 || r.status == 404) {
            return;
        }
        ok(r, "deleting " + path);
        await(r, null, version, op);
    }

    // --- long-running operations, as go-autorest's Future polls them

    private void await(Reply accepted, String resultPath, String version, String op) {
        String async = accepted.headers.get("azure-asyncoperation");
        String location = accepted.headers.get("location");
        if (async == null && location == null) {
            return;
        }
        Reply last = accepted;
        while (true) {
            pause(last);
            if (async != null) {
                last = get(async, op);
                String status = last.json.path("status").asText("");
                if (status.equalsIgnoreCase("Succeeded")) {
                    break;
                }
                if (status.equalsIgnoreCase("Failed") || status.equalsIgnoreCase("Canceled")) {
                    throw new BuildFailed(op + ": Future#WaitForCompletion: asynchronous operation has failed: "
                            + last.json.path("error"));
                }
            } else {
                last = get(location, op);
                if (last.status == 200 || last.status == 204) {
                    break;
                }
                if (last.status != 202) {
                    throw new BuildFailed(op + ": Future#WaitForCompletion: the operation answered " + last.status
                            + ": " + last.json);
                }
            }
        }
        if (resultPath != null) {
            ok(call("GET", resultPath, version, null, op + " (result)"), "reading the result of " + op);
        }
    }

    private void pause(Reply last) {
        Duration wait = DEFAULT_POLL;
        String retryAfter = last.headers.get("retry-after");
        if (retryAfter != null) {
            try {
                wait = Duration.ofSeconds(Long.parseLong(retryAfter.trim()));
            } catch (NumberFormatException e) {
                wait = DEFAULT_POLL;
            }
        }
        if (wait.compareTo(minPoll) < 0) {
            wait = minPoll;
        }
        sleep(wait);
    }

    // --- HTTP with go-autorest's retries

    private record Reply(int status, JsonNode json, Map<String, String> headers) {
    }

    private Reply ok(Reply r, String what) {
        if (r.status >= 300) {
            JsonNode error = r.json.path("error");
            throw new BuildFailed("error " + what + ": StatusCode=" + r.status + " Code=\"" + error.path("code").asText()
                    + "\" Message=\"" + error.path("message").asText() + "\"");
        }
        return r;
    }

    private Reply get(String absolute, String op) {
        String path = absolute.startsWith(base) ? absolute.substring(base.length()) : URI.create(absolute)
                .getRawPath() + "?" + URI.create(absolute).getRawQuery();
        return send("GET", path, null, op);
    }

    private Reply call(String method, String path, String version, String body, String op) {
        return send(method, path + (path.contains("?") ? "&" : "?") + "api-version=" + version, body, op);
    }

    private Reply send(String method, String pathAndQuery, String body, String op) {
        int attempts = 0;
        int throttledHere = 0;
        while (true) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                    .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token)
                    .header("User-Agent", "Go/go1.15 (amd64-linux) go-autorest/v14.2.0 packer/1.6.6 (kiln stand-in)");
            if (body != null) {
                b.header("Content-Type", "application/json; charset=utf-8");
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
            Reply r = exchange(b.build());
            if (r.status == 429) {
                throttled++;
                throttledHere++;
                Duration wait = retryAfter(r).orElse(Duration.ofSeconds(Math.min(30, 1L << Math.min(throttledHere, 5))));
                say(op + ": Failure responding to request: StatusCode=429 -- Original Error: autorest/azure: Service"
                        + " returned an error. Status=429 Code=\"" + r.json.path("error").path("code").asText()
                        + "\" (TooManyRequests); retrying after " + wait.toSeconds() + "s");
                if (throttledHere >= MAX_THROTTLED) {
                    return r;
                }
                sleep(wait);
                continue;
            }
            if ((r.status >= 500 || r.status == 408) && ++attempts < MAX_ATTEMPTS) {
                sleep(retryAfter(r).orElse(Duration.ofSeconds(1L << attempts)));
                continue;
            }
            return r;
        }
    }

    private static java.util.Optional<Duration> retryAfter(Reply r) {
        String v = r.headers.get("retry-after");
        try {
            return v == null ? java.util.Optional.empty() : java.util.Optional.of(Duration.ofSeconds(Long.parseLong(
                    v.trim())));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    private Reply exchange(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            Map<String, String> headers = new LinkedHashMap<>();
            response.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
            JsonNode json = response.body() == null || response.body().isBlank() ? JSON.createObjectNode()
                    : JSON.readTree(response.body());
            return new Reply(response.statusCode(), json, headers);
        } catch (IOException e) {
            throw new BuildFailed(request.method() + " " + request.uri().getPath() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildFailed("interrupted");
        }
    }

    private void token(String resource) {
        String form = "grant_type=client_credentials&client_id=" + enc(opt.get("client-id")) + "&client_secret="
                + enc(opt.getOrDefault("client-secret", "not-a-secret")) + "&resource=" + enc(resource);
        Reply r = exchange(HttpRequest.newBuilder(URI.create(base + "/" + opt.get("tenant") + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
        if (r.status != 200) {
            throw new BuildFailed("adal: Refresh request failed. Status Code = '" + r.status + "'");
        }
        if (resource.startsWith("https://management")) {
            token = r.json.path("access_token").asText();
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private void sleep(Duration d) {
        try {
            time.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildFailed("interrupted");
        }
    }

    /** The build cannot go on; cleanup still runs. */
    private static final class BuildFailed extends RuntimeException {
        BuildFailed(String message) {
            super(message, null, false, false);
        }
    }
}
