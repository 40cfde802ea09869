package dev.kiln.emulators.gcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Compute Engine v1 discovery document of what this emulator serves, at
 * {@code /discovery/v1/apis/compute/v1/rest} (where www.googleapis.com serves it) and
 * {@code /$discovery/rest?version=v1} (compute.googleapis.com's own): discovery-based clients
 * (google-api-python-client's {@code build("compute", "v1", discoveryServiceUrl=...)}) build their
 * methods from it, with {@code rootUrl} the emulator itself. It lists only the methods the emulator
 * answers, each as the real document has it (id, path, HTTP method, parameters, request and
 * response schemas); schemas are named but carry only the properties clients page by.
 */
final class Discovery {

    private static final Pattern PATH_PARAM = Pattern.compile("\\{(\\w+)}");
    private static final String SCOPE = "https://www.googleapis.com/auth/compute";
    private static final String CLOUD = "https://www.googleapis.com/auth/cloud-platform";

    private record Method(String resource, String name, String http, String path, List<String> query, String request,
            String response) {
    }

    private static final List<String> LIST = List.of("filter", "maxResults", "orderBy", "pageToken",
            "returnPartialSuccess");
    private static final List<String> AGGREGATED = List.of("filter", "includeAllScopes", "maxResults", "orderBy",
            "pageToken", "returnPartialSuccess", "serviceProjectNumber");
    private static final List<String> REQUEST_ID = List.of("requestId");
    private static final String Z = "projects/{project}/zones/{zone}/";
    private static final String R = "projects/{project}/regions/{region}/";
    private static final String G = "projects/{project}/global/";

    private static final List<Method> METHODS = List.of(
            new Method("projects", "get", "GET", "projects/{project}", List.of(), null, "Project"),
            new Method("projects", "setCommonInstanceMetadata", "POST", "projects/{project}/setCommonInstanceMetadata",
                    REQUEST_ID, "Metadata", "Operation"),
            new Method("regions", "list", "GET", "projects/{project}/regions", LIST, null, "RegionList"),
            new Method("regions", "get", "GET", R.substring(0, R.length() - 1), List.of(), null, "Region"),
            new Method("regionOperations", "list", "GET", R + "operations", LIST, null, "OperationList"),
            new Method("regionOperations", "get", "GET", R + "operations/{operation}", List.of(), null, "Operation"),
            new Method("regionOperations", "wait", "POST", R + "operations/{operation}/wait", List.of(), null,
                    "Operation"),
            new Method("addresses", "list", "GET", R + "addresses", LIST, null, "AddressList"),
            new Method("addresses", "aggregatedList", "GET", "projects/{project}/aggregated/addresses", AGGREGATED,
                    null, "AddressAggregatedList"),
            new Method("addresses", "insert", "POST", R + "addresses", REQUEST_ID, "Address", "Operation"),
            new Method("addresses", "get", "GET", R + "addresses/{address}", List.of(), null, "Address"),
            new Method("addresses", "delete", "DELETE", R + "addresses/{address}", REQUEST_ID, null, "Operation"),
            new Method("zones", "list", "GET", "projects/{project}/zones", LIST, null, "ZoneList"),
            new Method("zones", "get", "GET", Z.substring(0, Z.length() - 1), List.of(), null, "Zone"),
            new Method("machineTypes", "list", "GET", Z + "machineTypes", LIST, null, "MachineTypeList"),
            new Method("machineTypes", "aggregatedList", "GET", "projects/{project}/aggregated/machineTypes",
                    AGGREGATED, null, "MachineTypeAggregatedList"),
            new Method("machineTypes", "get", "GET", Z + "machineTypes/{machineType}", List.of(), null, "MachineType"),
            new Method("imageFamilyViews", "get", "GET", Z + "imageFamilyViews/{family}", List.of(), null,
                    "ImageFamilyView"),
            new Method("instances", "list", "GET", Z + "instances", LIST, null, "InstanceList"),
            new Method("instances", "aggregatedList", "GET", "projects/{project}/aggregated/instances", AGGREGATED,
                    null, "InstanceAggregatedList"),
            new Method("instances", "insert", "POST", Z + "instances", List.of("requestId", "sourceInstanceTemplate"),
                    "Instance", "Operation"),
            new Method("instances", "get", "GET", Z + "instances/{instance}", List.of(), null, "Instance"),
            new Method("instances", "delete", "DELETE", Z + "instances/{instance}", REQUEST_ID, null, "Operation"),
            new Method("instances", "stop", "POST", Z + "instances/{instance}/stop", REQUEST_ID, null, "Operation"),
            new Method("instances", "setLabels", "POST", Z + "instances/{instance}/setLabels", REQUEST_ID,
                    "InstancesSetLabelsRequest", "Operation"),
            new Method("instances", "setMetadata", "POST", Z + "instances/{instance}/setMetadata", REQUEST_ID,
                    "Metadata", "Operation"),
            new Method("instances", "getSerialPortOutput", "GET", Z + "instances/{instance}/serialPort",
                    List.of("port", "start"), null, "SerialPortOutput"),
            new Method("disks", "list", "GET", Z + "disks", LIST, null, "DiskList"),
            new Method("disks", "aggregatedList", "GET", "projects/{project}/aggregated/disks", AGGREGATED, null,
                    "DiskAggregatedList"),
            new Method("disks", "insert", "POST", Z + "disks", List.of("requestId", "sourceImage"), "Disk",
                    "Operation"),
            new Method("disks", "get", "GET", Z + "disks/{disk}", List.of(), null, "Disk"),
            new Method("disks", "delete", "DELETE", Z + "disks/{disk}", REQUEST_ID, null, "Operation"),
            new Method("disks", "setLabels", "POST", Z + "disks/{resource}/setLabels", REQUEST_ID,
                    "ZoneSetLabelsRequest", "Operation"),
            new Method("zoneOperations", "list", "GET", Z + "operations", LIST, null, "OperationList"),
            new Method("zoneOperations", "get", "GET", Z + "operations/{operation}", List.of(), null, "Operation"),
            new Method("zoneOperations", "wait", "POST", Z + "operations/{operation}/wait", List.of(), null,
                    "Operation"),
            new Method("images", "list", "GET", G + "images", LIST, null, "ImageList"),
            new Method("images", "insert", "POST", G + "images", List.of("forceCreate", "requestId"), "Image",
                    "Operation"),
            new Method("images", "get", "GET", G + "images/{image}", List.of(), null, "Image"),
            new Method("images", "getFromFamily", "GET", G + "images/family/{family}", List.of(), null, "Image"),
            new Method("images", "delete", "DELETE", G + "images/{image}", REQUEST_ID, null, "Operation"),
            new Method("images", "setLabels", "POST", G + "images/{resource}/setLabels", List.of(),
                    "GlobalSetLabelsRequest", "Operation"),
            new Method("globalOperations", "list", "GET", G + "operations", LIST, null, "OperationList"),
            new Method("globalOperations", "aggregatedList", "GET", "projects/{project}/aggregated/operations",
                    AGGREGATED, null, "OperationAggregatedList"),
            new Method("globalOperations", "get", "GET", G + "operations/{operation}", List.of(), null, "Operation"),
            new Method("globalOperations", "wait", "POST", G + "operations/{operation}/wait", List.of(), null,
                    "Operation"));

    private static final List<String> RESOURCES = List.of("Address", "Disk", "Image", "Instance", "MachineType",
            "Operation", "Region", "Zone");
    private static final List<String> AGGREGATED_RESOURCES = List.of("Address", "Disk", "Instance", "MachineType",
            "Operation");

    private Discovery() {
    }

    /** The document, with {@code rootUrl} the emulator as the client reached it ({@code https://127.0.0.1:1234/}). */
    static ObjectNode document(ObjectMapper json, String rootUrl) {
        ObjectNode d = json.createObjectNode()
                .put("kind", "discovery#restDescription")
                .put("discoveryVersion", "v1")
                .put("id", "compute:v1")
                .put("name", "compute")
                .put("version", "v1")
                .put("revision", "20260101")
                .put("title", "Compute Engine API")
                .put("description", "Creates and runs virtual machines on Google Cloud Platform (the methods the Kiln"
                        + " emulator serves).")
                .put("ownerDomain", "google.com")
                .put("ownerName", "Google")
                .put("documentationLink", "https://cloud.google.com/compute/")
                .put("protocol", "rest")
                .put("rootUrl", rootUrl)
                .put("servicePath", "compute/v1/")
                .put("basePath", "/compute/v1/")
                .put("baseUrl", rootUrl + "compute/v1/")
                .put("batchPath", "batch/compute/v1");
        ObjectNode params = d.putObject("parameters");
        param(params, "alt", "string", "query").put("default", "json");
        param(params, "fields", "string", "query");
        param(params, "key", "string", "query");
        param(params, "prettyPrint", "boolean", "query").put("default", "true");
        param(params, "quotaUser", "string", "query");
        param(params, "userIp", "string", "query");
        ObjectNode scopes = d.putObject("auth").putObject("oauth2").putObject("scopes");
        scopes.putObject(CLOUD).put("description", "See, edit, configure, and delete your Google Cloud data");
        scopes.putObject(SCOPE).put("description", "View and manage your Google Compute Engine resources");
        schemas(d.putObject("schemas"));
        ObjectNode resources = d.putObject("resources");
        for (Method m : METHODS) {
            ObjectNode method = resources.withObjectProperty(m.resource).withObjectProperty("methods")
                    .putObject(m.name)
                    .put("id", "compute." + m.resource + "." + m.name)
                    .put("path", m.path)
                    .put("flatPath", m.path)
                    .put("httpMethod", m.http);
            ObjectNode p = method.putObject("parameters");
            ArrayNode order = method.putArray("parameterOrder");
            Matcher names = PATH_PARAM.matcher(m.path);
            while (names.find()) {
                param(p, names.group(1), "string", "path").put("required", true);
                order.add(names.group(1));
            }
            for (String q : m.query) {
                String type = switch (q) {
                    case "maxResults", "port" -> "integer";
                    case "returnPartialSuccess", "includeAllScopes", "forceCreate" -> "boolean";
                    case "start", "serviceProjectNumber" -> "string";
                    default -> "string";
                };
                ObjectNode qp = param(p, q, type, "query");
                if (q.equals("maxResults")) {
                    qp.put("format", "uint32").put("minimum", "0").put("default", "500");
                }
            }
            if (m.request != null) {
                method.putObject("request").put("$ref", m.request);
            }
            method.putObject("response").put("$ref", m.response);
            method.putArray("scopes").add(CLOUD).add(SCOPE);
        }
        return d;
    }

    private static ObjectNode param(ObjectNode params, String name, String type, String location) {
        return params.putObject(name).put("type", type).put("location", location);
    }

    private static void schemas(ObjectNode schemas) {
        List<String> plain = new ArrayList<>(RESOURCES);
        plain.addAll(List.of("Project", "Metadata", "SerialPortOutput", "InstancesSetLabelsRequest",
                "ZoneSetLabelsRequest", "GlobalSetLabelsRequest"));
        for (String name : plain) {
            schemas.putObject(name).put("id", name).put("type", "object");
        }
        schemas.putObject("ImageFamilyView").put("id", "ImageFamilyView").put("type", "object")
                .putObject("properties").putObject("image").put("$ref", "Image");
        for (String name : RESOURCES) {
            ObjectNode list = schemas.putObject(name + "List").put("id", name + "List").put("type", "object");
            ObjectNode props = list.putObject("properties");
            props.putObject("kind").put("type", "string");
            props.putObject("id").put("type", "string");
            props.putObject("items").put("type", "array").putObject("items").put("$ref", name);
            props.putObject("nextPageToken").put("type", "string");
            props.putObject("selfLink").put("type", "string");
        }
        for (String name : AGGREGATED_RESOURCES) {
            String plural = Character.toLowerCase(name.charAt(0)) + name.substring(1) + (name.endsWith("s") ? "es"
                    : "s");
            String scopedName = Character.toUpperCase(plural.charAt(0)) + plural.substring(1) + "ScopedList";
            ObjectNode scoped = schemas.putObject(scopedName).put("id", scopedName).put("type", "object");
            scoped.putObject("properties").putObject(plural).put("type", "array").putObject("items").put("$ref", name);
            ObjectNode agg = schemas.putObject(name + "AggregatedList").put("id", name + "AggregatedList")
                    .put("type", "object");
            ObjectNode props = agg.putObject("properties");
            props.putObject("kind").put("type", "string");
            props.putObject("id").put("type", "string");
            props.putObject("items").put("type", "object").putObject("additionalProperties")
                    .put("$ref", scopedName);
            props.putObject("nextPageToken").put("type", "string");
            props.putObject("selfLink").put("type", "string");
        }
    }
}
