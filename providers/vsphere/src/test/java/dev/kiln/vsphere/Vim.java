package dev.kiln.vsphere;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.kiln.emulators.vsphere.VcenterEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * What a packer build leaves on the vCenter emulator, made the way packer's vsphere-clone makes it
 * (vim25 CloneVM_Task with the notes in the clone's config, MarkAsTemplate; REST for library
 * exports and tags), for provider tests that need a build's leftovers without running packer.
 */
final class Vim {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final VcenterEmulator vcenter;
    private final HttpClient http;
    private String cookie;
    private String session;

    Vim(VcenterEmulator vcenter) {
        this.vcenter = vcenter;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(vcenter.clientTls()).build();
    }

    /**
     * Clones the emulator's source VM into {@code name} on {@code host} with {@code notes}, then
     * powers it on or marks it as a template as asked; the new VM's id.
     */
    String clone(String name, String host, String notes, boolean template, boolean powerOn) {
        String task = startClone(name, host, notes, powerOn);
        String info = Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> soap("<RetrieveProperties"
                + " xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this><specSet><propSet>"
                + "<type>Task</type><pathSet>info</pathSet></propSet><objectSet><obj type=\"Task\">" + task + "</obj>"
                + "</objectSet></specSet></RetrieveProperties>"), i -> i.contains("<state>success</state>")
                || i.contains("<state>error</state>"));
        if (info.contains("<state>error</state>")) {
            throw new AssertionError("clone of " + name + " failed: " + info);
        }
        String vm = text(info, "result");
        if (template) {
            soap("<MarkAsTemplate xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">" + vm + "</_this>"
                    + "</MarkAsTemplate>");
        }
        return vm;
    }

    /**
     * Starts a clone of the emulator's source VM into {@code name} on {@code host} with
     * {@code notes}, as packer does, without waiting for it; the clone's task.
     */
    String startClone(String name, String host, String notes, boolean powerOn) {
        String hostId = id(rest("GET", "/api/vcenter/host?names=" + host, null), "host");
        String pool = id(rest("GET", "/api/vcenter/resource-pool?hosts=" + hostId, null), "resource_pool");
        String folder = id(rest("GET", "/api/vcenter/folder?type=VIRTUAL_MACHINE&names="
                + VcenterEmulator.DEFAULT_FOLDER, null), "folder");
        String ds = id(rest("GET", "/api/vcenter/datastore?names=" + VcenterEmulator.DEFAULT_DATASTORE, null),
                "datastore");
        String source = id(rest("GET", "/api/vcenter/vm?names=" + VcenterEmulator.DEFAULT_SOURCE_VM, null), "vm");
        return text(soap("<CloneVM_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">" + source
                + "</_this><folder type=\"Folder\">" + folder + "</folder><name>" + name + "</name><spec><location>"
                + "<datastore type=\"Datastore\">" + ds + "</datastore><pool type=\"ResourcePool\">" + pool + "</pool>"
                + "</location><template>false</template><config><annotation>" + notes + "</annotation></config>"
                + "<powerOn>" + powerOn + "</powerOn></spec></CloneVM_Task>"), "returnval");
    }

    /** Exports VM {@code vm} to the default library as VM template item {@code name}; the item's id. */
    String export(String vm, String name, String description) {
        String library = rest("POST", "/api/content/library?action=find", "{\"name\":\""
                + VcenterEmulator.DEFAULT_LIBRARY + "\"}").get(0).asText();
        return rest("POST", "/api/vcenter/vm-template/library-items", "{\"source_vm\":\"" + vm + "\",\"name\":\""
                + name + "\",\"library\":\"" + library + "\",\"description\":\"" + description + "\"}").asText();
    }

    /** Attaches tag {@code category=name}, made when missing, to {@code type}/{@code id}. */
    void tag(String type, String id, String category, String name) {
        String categoryId = null;
        for (JsonNode c : rest("GET", "/api/cis/tagging/category", null)) {
            if (rest("GET", "/api/cis/tagging/category/" + c.asText(), null).path("name").asText().equals(category)) {
                categoryId = c.asText();
            }
        }
        if (categoryId == null) {
            categoryId = rest("POST", "/api/cis/tagging/category", "{\"name\":\"" + category
                    + "\",\"cardinality\":\"MULTIPLE\",\"associable_types\":[]}").asText();
        }
        String tagId = null;
        for (JsonNode t : rest("POST", "/api/cis/tagging/tag?action=list-tags-for-category", "{\"category_id\":\""
                + categoryId + "\"}")) {
            if (rest("GET", "/api/cis/tagging/tag/" + t.asText(), null).path("name").asText().equals(name)) {
                tagId = t.asText();
            }
        }
        if (tagId == null) {
            tagId = rest("POST", "/api/cis/tagging/tag", "{\"name\":\"" + name + "\",\"category_id\":\"" + categoryId
                    + "\"}").asText();
        }
        rest("POST", "/api/cis/tagging/tag-association/" + tagId + "?action=attach", "{\"object_id\":{\"type\":\""
                + type + "\",\"id\":\"" + id + "\"}}");
    }

    private static String text(String xml, String element) {
        Matcher m = Pattern.compile("<" + element + "[^>]*>([^<]*)</" + element + ">").matcher(xml);
        if (!m.find()) {
            throw new AssertionError("no <" + element + "> in " + xml);
        }
        return m.group(1);
    }

    private static String id(JsonNode list, String field) {
        return list.get(0).path(field).asText();
    }

    private String soap(String method) {
        if (cookie == null) {
            String login = send(URI.create(vcenter.endpoint() + "/sdk"), "POST", envelope("<Login xmlns=\"urn:vim25\">"
                    + "<_this type=\"SessionManager\">SessionManager</_this><userName>" + VcenterEmulator.DEFAULT_USER
                    + "</userName><password>" + VcenterEmulator.DEFAULT_PASSWORD + "</password></Login>"), null,
                    "text/xml");
            cookie = text(login, "key");
        }
        String answer = send(URI.create(vcenter.endpoint() + "/sdk"), "POST", envelope(method),
                "vmware_soap_session=" + cookie, "text/xml");
        if (answer.contains("Fault>")) {
            throw new AssertionError("vim25 fault: " + answer);
        }
        return answer;
    }

    private static String envelope(String method) {
        return "<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\"><Body>" + method + "</Body></Envelope>";
    }

    private JsonNode rest(String method, String path, String body) {
        if (session == null) {
            session = "x";
            session = parse(send(URI.create(vcenter.endpoint() + "/api/session"), "POST", null, null, null)).asText();
        }
        return parse(send(URI.create(vcenter.endpoint() + path), method, body, null, "application/json"));
    }

    private static JsonNode parse(String text) {
        try {
            return text.isEmpty() ? NullNode.getInstance() : JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String send(URI uri, String method, String body, String cookieHeader, String type) {
        HttpRequest.Builder r = HttpRequest.newBuilder(uri).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            r.header("Content-Type", type);
        }
        if (cookieHeader != null) {
            r.header("Cookie", cookieHeader);
        }
        if (uri.getPath().equals("/api/session")) {
            r.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((VcenterEmulator.DEFAULT_USER + ":"
                    + VcenterEmulator.DEFAULT_PASSWORD).getBytes(StandardCharsets.UTF_8)));
        } else if (session != null) {
            r.header("vmware-api-session-id", session);
        }
        try {
            HttpResponse<String> a = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
            if (a.statusCode() >= 300 && !uri.getPath().equals("/sdk")) {
                throw new AssertionError(method + " " + uri + " answered " + a.statusCode() + ": " + a.body());
            }
            return a.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
