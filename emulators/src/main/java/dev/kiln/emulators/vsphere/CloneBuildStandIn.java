package dev.kiln.emulators.vsphere;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Makes the vCenter REST calls of one packer vsphere-clone build, for packer to run where its own
 * builder cannot: packer's vsphere-clone speaks SOAP ({@code /sdk}, through govmomi), which no
 * emulator here answers. A template runs it from a null builder's shell-local provisioner:
 *
 * <pre>
 * java -cp kiln-emulators.jar dev.kiln.emulators.vsphere.CloneBuildStandIn --endpoint https://vc.example
 *     --name base-dev-20260105 --build-id b-1a2b --host esx-01 --datastore datastore1
 *     [--folder F] [--source VM] [--library L [--destroy-vm]] [--vm-name N] [--tag-category C]
 *     [--expires-at EPOCH_SECONDS] [--poll 1s] [--boot-timeout 5m] [--shutdown-timeout 5m] [--provision-time 0s]
 *     [--fail-after clone|tag|power-on|shutdown|template] [--insecure]
 * </pre>
 *
 * The user and password come from the environment only, {@code VSPHERE_USER} and
 * {@code VSPHERE_PASSWORD}, never from the command line. What the arguments leave out (or leave
 * empty) comes from the environment Kiln's vSphere provider gives a build: {@code --endpoint}
 * from {@code KILN_VSPHERE_URL}, {@code --host}, {@code --datastore}, {@code --folder},
 * {@code --library}, {@code --source} and {@code --tag-category} from {@code KILN_VSPHERE_HOST},
 * {@code _DATASTORE}, {@code _FOLDER}, {@code _LIBRARY}, {@code _SOURCE} and
 * {@code _TAG_CATEGORY}, and {@code --insecure} from {@code KILN_VSPHERE_INSECURE=true}. The sequence (session, name check,
 * lookups, clone, tag with the build id, power on, wait for the guest, guest shutdown, power-state
 * polls, optional content library export) is written down, with the SOAP calls each REST call
 * stands for, in {@code PACKER_CALLS.md} beside this class. With {@code --expires-at} (Kiln's
 * {@code kiln_expires_at}; empty means none) the clone is also tagged in category
 * {@value #EXPIRY_CATEGORY} with a tag named by the epoch seconds, and the tag is detached again
 * when the build finishes with the VM kept as its image: only what a build leaves unfinished
 * carries an expiry. Library items never carry it. On an error it cleans up as packer
 * does (powers the VM off and destroys it); {@code --fail-after STEP} instead stops dead after that
 * step, leaving everything behind, as a packer killed mid-build would, for sweeps to find.
 *
 * <p>Exit status: 0 built, 1 failed, 2 bad arguments or environment.
 */
public final class CloneBuildStandIn {

    /** The environment variable holding the vCenter user. */
    public static final String USER_VARIABLE = "VSPHERE_USER";
    /** The environment variable holding the vCenter password. */
    public static final String PASSWORD_VARIABLE = "VSPHERE_PASSWORD";
    /** The tag category of build ids unless {@code --tag-category} says otherwise. */
    public static final String DEFAULT_TAG_CATEGORY = "kiln-build-id";
    /** The tag category of expiries: each tag is named by epoch seconds. */
    public static final String EXPIRY_CATEGORY = "kiln-expires-at";
    /** The object type the tagging API gives content library items. */
    static final String ITEM_TYPE = "com.vmware.content.library.Item";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Options that default to the environment Kiln's vSphere provider gives a build. */
    private static final Map<String, String> ENVIRONMENT = Map.of("--endpoint", "KILN_VSPHERE_URL",
            "--host", "KILN_VSPHERE_HOST", "--datastore", "KILN_VSPHERE_DATASTORE", "--folder", "KILN_VSPHERE_FOLDER",
            "--library", "KILN_VSPHERE_LIBRARY", "--source", "KILN_VSPHERE_SOURCE",
            "--tag-category", "KILN_VSPHERE_TAG_CATEGORY");
    private static final Set<String> STEPS = Set.of("clone", "tag", "power-on", "shutdown", "template");
    private static final String USAGE = "usage: CloneBuildStandIn --endpoint URL --name NAME --build-id ID --host HOST"
            + " --datastore DS [--folder F] [--source VM] [--library L [--destroy-vm]] [--vm-name N]"
            + " [--tag-category C] [--expires-at EPOCH_SECONDS] [--poll 1s] [--boot-timeout 5m] [--shutdown-timeout 5m] [--provision-time 0s]"
            + " [--fail-after clone|tag|power-on|shutdown|template] [--insecure]; credentials in "
            + USER_VARIABLE + " and " + PASSWORD_VARIABLE + "; endpoint, host, datastore, folder, library, source,"
            + " tag category and insecure default to Kiln's KILN_VSPHERE_* variables";

    private CloneBuildStandIn() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs one build with these arguments and environment; returns the exit status. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = Options.parse(args, env);
        } catch (IllegalArgumentException e) {
            err.println(USAGE + " -- " + e.getMessage());
            return 2;
        }
        String user = env.get(USER_VARIABLE);
        String password = env.get(PASSWORD_VARIABLE);
        if (user == null || user.isBlank() || password == null) {
            err.println(USAGE + " -- set " + USER_VARIABLE + " and " + PASSWORD_VARIABLE
                    + " in the environment (credentials never go on the command line)");
            return 2;
        }
        Build build;
        try {
            build = new Build(o, out, client(o.insecure));
        } catch (GeneralSecurityException e) {
            err.println("vsphere-clone: cannot set up TLS: " + e.getMessage());
            return 1;
        }
        return build.run(user, password);
    }

    private static HttpClient client(boolean insecure) throws GeneralSecurityException {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1);
        if (insecure) {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new TrustEverything()}, null);
            b.sslContext(tls);
        }
        return b.build();
    }

    /** What a stand-in build was told. */
    private record Options(URI endpoint, String name, String buildId, String host, String datastore, String folder,
            String source, String library, boolean destroyVm, String vmName, String category, String expiresAt,
            Duration poll,
            Duration bootTimeout, Duration shutdownTimeout, Duration provisionTime, String failAfter,
            boolean insecure) {

        static Options parse(String[] args, Map<String, String> env) {
            Map<String, String> v = new LinkedHashMap<>();
            boolean destroy = false;
            boolean insecure = "true".equalsIgnoreCase(env.get("KILN_VSPHERE_INSECURE"));
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.toLowerCase(Locale.ROOT).contains("password") || a.equals("--user")) {
                    throw new IllegalArgumentException("credentials come from " + USER_VARIABLE + " and "
                            + PASSWORD_VARIABLE + " in the environment, never from the command line");
                }
                switch (a) {
                    case "--destroy-vm" -> destroy = true;
                    case "--insecure" -> insecure = true;
                    case "--endpoint", "--name", "--build-id", "--host", "--datastore", "--folder", "--source",
                            "--library", "--vm-name", "--tag-category", "--expires-at", "--poll", "--boot-timeout",
                            "--shutdown-timeout", "--provision-time", "--fail-after" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(a + " needs a value");
                        }
                        v.put(a, args[++i]);
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
                }
            }
            // What Kiln's vSphere provider tells every build (packerEnv), for what the arguments leave out.
            ENVIRONMENT.forEach((option, variable) -> {
                String given = v.get(option);
                String fromEnv = env.get(variable);
                if ((given == null || given.isBlank()) && fromEnv != null && !fromEnv.isBlank()) {
                    v.put(option, fromEnv);
                }
            });
            String endpoint = required(v, "--endpoint");
            URI uri;
            try {
                uri = URI.create(endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--endpoint is not a URL: '" + endpoint + "'");
            }
            if (uri.getScheme() == null || uri.getHost() == null || uri.getUserInfo() != null) {
                throw new IllegalArgumentException("--endpoint needs a scheme and a host and no user, e.g."
                        + " https://vcenter.example.com, got '" + endpoint + "'");
            }
            String name = required(v, "--name");
            String library = optional(v, "--library");
            String failAfter = optional(v, "--fail-after");
            if (failAfter != null && !STEPS.contains(failAfter)) {
                throw new IllegalArgumentException("--fail-after takes one of " + STEPS + ", got '" + failAfter + "'");
            }
            String vmName = optional(v, "--vm-name");
            if (vmName == null) {
                // A VM template item needs a name of its own: vCenter makes a VM of that name.
                vmName = library == null ? name : name + "-vm";
            }
            return new Options(uri, name, required(v, "--build-id"), required(v, "--host"),
                    required(v, "--datastore"), optional(v, "--folder"),
                    v.getOrDefault("--source", VcenterEmulator.DEFAULT_SOURCE_VM), library, destroy, vmName,
                    v.getOrDefault("--tag-category", DEFAULT_TAG_CATEGORY), optional(v, "--expires-at"),
                    duration(v, "--poll", "1s"),
                    duration(v, "--boot-timeout", "5m"), duration(v, "--shutdown-timeout", "5m"),
                    duration(v, "--provision-time", "0s"), failAfter, insecure);
        }

        private static String required(Map<String, String> v, String key) {
            String s = optional(v, key);
            if (s == null) {
                String variable = ENVIRONMENT.get(key);
                throw new IllegalArgumentException(key + " is required" + (variable == null ? ""
                        : " (or " + variable + " in the environment)"));
            }
            return s;
        }

        /** Empty counts as absent, so a template can pass {@code --folder "$UNSET_VARIABLE"}. */
        private static String optional(Map<String, String> v, String key) {
            String s = v.get(key);
            return s == null || s.isBlank() ? null : s;
        }

        private static Duration duration(Map<String, String> v, String key, String fallback) {
            String s = v.getOrDefault(key, fallback).trim().toLowerCase(Locale.ROOT);
            try {
                if (s.startsWith("pt")) {
                    return Duration.parse(s);
                }
                if (s.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
                }
                long n = Long.parseLong(s.substring(0, s.length() - 1));
                return switch (s.charAt(s.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> throw new NumberFormatException();
                };
            } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
                throw new IllegalArgumentException(key + " takes a duration such as 500ms, 2s, 5m, got '" + s + "'");
            }
        }
    }

    /** A vCenter answer other than success. */
    private static final class CallFailed extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String errorType;

        CallFailed(String what, int status, String errorType, String message) {
            super(what + ": " + status + (errorType == null ? "" : " " + errorType)
                    + (message == null || message.isEmpty() ? "" : " (" + message + ")"), null, false, false);
            this.status = status;
            this.errorType = errorType;
        }
    }

    /** Stops the build dead, leaving what it made, as a killed packer would. */
    private static final class Abandon extends Exception {
        private static final long serialVersionUID = 1L;

        Abandon(String step) {
            super("stopping after step '" + step + "' as told (--fail-after), leaving everything behind", null,
                    false, false);
        }
    }

    /** One build's state: the session and what it has made so far. */
    private static final class Build {
        private final Options o;
        private final PrintStream out;
        private final HttpClient http;
        private final TimeSource time = TimeSource.system();
        private String session;
        private String vm;
        private boolean poweredOn;

        Build(Options o, PrintStream out, HttpClient http) {
            this.o = o;
            this.out = out;
            this.http = http;
        }

        private void say(String message) {
            out.println("vsphere-clone: " + message);
            out.flush();
        }

        int run(String user, String password) {
            try {
                build(user, password);
                logout();
                return 0;
            } catch (Abandon e) {
                say(e.getMessage());
                return 1;
            } catch (CallFailed | IOException e) {
                say("Build failed: " + e.getMessage());
                cleanup();
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                say("Interrupted; cleaning up");
                cleanup();
                return 1;
            }
        }

        private void build(String user, String password) throws CallFailed, IOException, InterruptedException,
                Abandon {
            say("Connecting to vCenter " + o.endpoint() + "...");
            String basic = Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8));
            session = send("POST", "/api/session", null, "Authorization", "Basic " + basic).asText();

            // StepCloneVM, in packer's order: PreCleanVM, FindVM(template), then the clone's folder,
            // resource pool (from the host) and datastore.
            if (first(get("/api/vcenter/vm?names=" + enc(o.vmName()))) != null) {
                throw new IOException(o.vmName() + " already exists, you can use -force flag to destroy it");
            }
            say("Cloning VM...");
            JsonNode source = first(get("/api/vcenter/vm?names=" + enc(o.source())));
            if (source == null) {
                throw new IOException("Error finding vm to clone: vm '" + o.source() + "' not found");
            }
            ObjectNode placement = JsonNodeFactory.instance.objectNode();
            if (o.folder() != null) {
                JsonNode folder = first(get("/api/vcenter/folder?type=VIRTUAL_MACHINE&names=" + enc(o.folder())));
                if (folder == null) {
                    throw new IOException("Error finding folder: folder '" + o.folder() + "' not found");
                }
                placement.put("folder", folder.path("folder").asText());
            }
            JsonNode host = first(get("/api/vcenter/host?names=" + enc(o.host())));
            if (host != null) {
                placement.put("host", host.path("host").asText());
            } else {
                JsonNode cluster = first(get("/api/vcenter/cluster?names=" + enc(o.host())));
                if (cluster == null) {
                    throw new IOException("Error finding resource pool: no host or cluster named '" + o.host() + "'");
                }
                placement.put("cluster", cluster.path("cluster").asText());
            }
            JsonNode ds = first(get("/api/vcenter/datastore?names=" + enc(o.datastore())));
            if (ds == null) {
                throw new IOException("Error finding datastore: datastore '" + o.datastore() + "' not found");
            }
            String datastoreId = ds.path("datastore").asText();
            placement.put("datastore", datastoreId);
            ObjectNode clone = JsonNodeFactory.instance.objectNode().put("source", source.path("vm").asText())
                    .put("name", o.vmName()).put("power_on", false);
            clone.set("placement", placement);
            vm = send("POST", "/api/vcenter/vm?action=clone", clone).asText();
            say("Cloned " + o.vmName() + " (" + vm + ") on " + o.host() + " / " + o.datastore());
            stopIf("clone");

            String tag = tag(o.category(), "Kiln build ids: what each build made, for sweeps", o.buildId(),
                    "Kiln build " + o.buildId());
            attach(tag, "VirtualMachine", vm);
            say("Tagged " + vm + " " + o.category() + "=" + o.buildId());
            String expiry = null;
            if (o.expiresAt() != null) {
                expiry = tag(EXPIRY_CATEGORY, "Kiln expiries (epoch seconds): what is left after them may be swept",
                        o.expiresAt(), "Expires at " + o.expiresAt() + " (epoch seconds)");
                attach(expiry, "VirtualMachine", vm);
                say("Tagged " + vm + " " + EXPIRY_CATEGORY + "=" + o.expiresAt());
            }
            stopIf("tag");

            say("Powering on VM...");
            send("POST", "/api/vcenter/vm/" + vm + "/power?action=start", null);
            poweredOn = true;
            stopIf("power-on");
            say("Waiting for IP...");
            String ip = waitForIp();
            say("IP address: " + ip);
            if (!o.provisionTime().isZero()) {
                say("Provisioning over the communicator for " + o.provisionTime().toMillis() + " ms (no vCenter calls)");
                time.sleep(o.provisionTime());
            }

            say("Shutting down VM...");
            send("POST", "/api/vcenter/vm/" + vm + "/guest/power?action=shutdown", null);
            waitForPowerOff();
            poweredOn = false;
            say("VM is powered off");
            stopIf("shutdown");

            if (o.library() != null) {
                exportToLibrary(tag, placement, datastoreId);
                stopIf("template");
            } else {
                say("Keeping powered-off VM " + o.vmName() + " as the template (the REST API cannot mark a VM as"
                        + " a template; see PACKER_CALLS.md)");
            }
            if (expiry != null && vm != null) {
                detach(expiry, "VirtualMachine", vm);
                say("Untagged " + vm + " " + EXPIRY_CATEGORY + "=" + o.expiresAt() + ": it is the build's to keep");
            }
            say("Build finished: " + o.name());
        }

        private void exportToLibrary(String tag, ObjectNode placement, String datastoreId)
                throws CallFailed, IOException, InterruptedException {
            say("Importing VM template " + o.name() + " to Content Library...");
            JsonNode ids = send("POST", "/api/content/library?action=find",
                    JsonNodeFactory.instance.objectNode().put("name", o.library()));
            if (ids.size() == 0) {
                throw new IOException("no content library named '" + o.library() + "'");
            }
            String libraryId = ids.get(0).asText();
            JsonNode library = get("/api/content/library/" + enc(libraryId));
            if (!"LOCAL".equals(library.path("type").asText())) {
                throw new IOException("can not deploy a VM to the content library " + o.library() + " of type "
                        + library.path("type").asText() + "; the content library must be of type LOCAL");
            }
            ObjectNode spec = JsonNodeFactory.instance.objectNode().put("source_vm", vm).put("name", o.name())
                    .put("description", "Packer imported " + o.vmName() + " VM template").put("library", libraryId);
            ObjectNode p = spec.putObject("placement");
            for (String key : List.of("host", "cluster", "folder")) {
                if (placement.has(key)) {
                    p.set(key, placement.get(key));
                }
            }
            spec.putObject("vm_home_storage").put("datastore", datastoreId);
            String item = send("POST", "/api/vcenter/vm-template/library-items", spec).asText();
            attach(tag, ITEM_TYPE, item);
            say("Library item " + o.name() + " (" + item + ") in " + o.library() + ", tagged "
                    + o.category() + "=" + o.buildId());
            if (o.destroyVm()) {
                say("Destroying VM...");
                send("DELETE", "/api/vcenter/vm/" + vm, null);
                vm = null;
            }
        }

        private void stopIf(String step) throws Abandon {
            if (step.equals(o.failAfter())) {
                throw new Abandon(step);
            }
        }

        /**
         * The tag {@code categoryName=tagName}, creating the category and the tag when missing (another
         * build may race us).
         */
        private String tag(String categoryName, String categoryDescription, String tagName, String tagDescription)
                throws CallFailed, IOException, InterruptedException {
            String category = null;
            for (int attempt = 0; attempt < 3 && category == null; attempt++) {
                category = findByName(get("/api/cis/tagging/category"), "/api/cis/tagging/category/", categoryName);
                if (category == null) {
                    ObjectNode spec = JsonNodeFactory.instance.objectNode().put("name", categoryName)
                            .put("description", categoryDescription)
                            .put("cardinality", "SINGLE");
                    spec.putArray("associable_types").add("VirtualMachine").add(ITEM_TYPE);
                    try {
                        category = send("POST", "/api/cis/tagging/category", spec).asText();
                    } catch (CallFailed e) {
                        if (!"ALREADY_EXISTS".equals(e.errorType)) {
                            throw e;
                        }
                    }
                }
            }
            String tag = null;
            for (int attempt = 0; attempt < 3 && tag == null; attempt++) {
                JsonNode ids = send("POST", "/api/cis/tagging/tag?action=list-tags-for-category",
                        JsonNodeFactory.instance.objectNode().put("category_id", category));
                tag = findByName(ids, "/api/cis/tagging/tag/", tagName);
                if (tag == null) {
                    ObjectNode spec = JsonNodeFactory.instance.objectNode().put("category_id", category)
                            .put("name", tagName).put("description", tagDescription);
                    try {
                        tag = send("POST", "/api/cis/tagging/tag", spec).asText();
                    } catch (CallFailed e) {
                        if (!"ALREADY_EXISTS".equals(e.errorType)) {
                            throw e;
                        }
                    }
                }
            }
            if (category == null || tag == null) {
                throw new IOException("could not find or create tag " + categoryName + "=" + tagName);
            }
            return tag;
        }

        private String findByName(JsonNode ids, String path, String name)
                throws CallFailed, IOException, InterruptedException {
            for (JsonNode id : ids) {
                if (name.equals(get(path + enc(id.asText())).path("name").asText())) {
                    return id.asText();
                }
            }
            return null;
        }

        private void attach(String tag, String type, String id) throws CallFailed, IOException, InterruptedException {
            association(tag, "attach", type, id);
        }

        private void detach(String tag, String type, String id) throws CallFailed, IOException, InterruptedException {
            association(tag, "detach", type, id);
        }

        private void association(String tag, String action, String type, String id)
                throws CallFailed, IOException, InterruptedException {
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.putObject("object_id").put("type", type).put("id", id);
            send("POST", "/api/cis/tagging/tag-association/" + enc(tag) + "?action=" + action, body);
        }

        private String waitForIp() throws CallFailed, IOException, InterruptedException {
            long deadline = time.nanoTime() + o.bootTimeout().toNanos();
            while (true) {
                try {
                    String ip = get("/api/vcenter/vm/" + vm + "/guest/identity").path("ip_address").asText("");
                    if (!ip.isEmpty()) {
                        return ip;
                    }
                } catch (CallFailed e) {
                    if (e.status != 503) {
                        throw e;
                    }
                }
                if (time.nanoTime() - deadline > 0) {
                    throw new IOException("Timeout waiting for IP after " + o.bootTimeout());
                }
                time.sleep(o.poll());
            }
        }

        private void waitForPowerOff() throws CallFailed, IOException, InterruptedException {
            long deadline = time.nanoTime() + o.shutdownTimeout().toNanos();
            while (!"POWERED_OFF".equals(get("/api/vcenter/vm/" + vm + "/power").path("state").asText())) {
                if (time.nanoTime() - deadline > 0) {
                    throw new IOException("Timeout while waiting for machine to shut down.");
                }
                time.sleep(o.poll());
            }
        }

        /** As packer's step cleanups on a halted build: power the VM off, destroy it, log out. */
        private void cleanup() {
            if (vm != null && session != null) {
                try {
                    if (poweredOn) {
                        say("Powering off VM...");
                        send("POST", "/api/vcenter/vm/" + vm + "/power?action=stop", null);
                    }
                    say("Destroying VM...");
                    send("DELETE", "/api/vcenter/vm/" + vm, null);
                } catch (CallFailed | IOException e) {
                    say("Cleanup failed: " + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            logout();
        }

        private void logout() {
            if (session == null) {
                return;
            }
            try {
                send("DELETE", "/api/session", null);
            } catch (CallFailed | IOException e) {
                say("Logout failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            session = null;
        }

        private JsonNode get(String path) throws CallFailed, IOException, InterruptedException {
            return send("GET", path, null);
        }

        private JsonNode send(String method, String path, JsonNode body, String... headers)
                throws CallFailed, IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(o.endpoint() + path))
                    .timeout(Duration.ofMinutes(30)).header("Accept", "application/json");
            if (session != null) {
                b.header("vmware-api-session-id", session);
            }
            for (int i = 0; i + 1 < headers.length; i += 2) {
                b.header(headers[i], headers[i + 1]);
            }
            if (body != null) {
                b.header("Content-Type", "application/json");
                b.method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode answer = r.body().length == 0 ? JsonNodeFactory.instance.nullNode() : JSON.readTree(r.body());
            if (r.statusCode() >= 300) {
                String what = method + " " + path.replaceFirst("\\?.*", "");
                String message = answer.path("messages").path(0).path("default_message").asText("");
                throw new CallFailed(what, r.statusCode(), answer.path("error_type").asText(null), message);
            }
            return answer;
        }

        private static JsonNode first(JsonNode list) {
            return list.isArray() && list.size() > 0 ? list.get(0) : null;
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
        }
    }

    /**
     * For {@code --insecure} labs only: accepts any certificate, for any host name (an extended trust
     * manager, so the JDK adds no host name check of its own).
     */
    private static final class TrustEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
