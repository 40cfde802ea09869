package dev.kiln.emulators.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Makes the Compute Engine calls of one packer {@code googlecompute} build (packer 1.6.6, whose
 * builder cannot be pointed at another endpoint), so a template of the null builder with a
 * {@code shell-local} provisioner running this program stands in for a googlecompute build against
 * the emulator. The calls, in order, are those of {@code PACKER_CALLS.md}: check the image name is
 * free, look up the source image, zone and machine type, insert the instance and poll its zone
 * operation, wait for {@code RUNNING}, read its address, (provision), read the serial port, delete
 * the instance (keeping its boot disk) and poll, create the image from the disk and poll the global
 * operation, read the image, delete the disk and poll. Everything it creates is labelled
 * {@code kiln-build-id}; with {@code --expires-at} (Kiln's {@code kiln_expires_at}, empty meaning
 * none) the instance and its disk are labelled {@code kiln-expires-at} too, as a template's
 * {@code labels} would, and the image is not, as its {@code image_labels} would not. Throttles (403 {@code rateLimitExceeded}, 429) and 5xx answers are retried
 * with backoff and reported on standard output in words packer's output parsers recognise. On a
 * failure it cleans up as packer does and exits 1; bad arguments exit 2.
 *
 * <pre>
 * java -cp kiln-emulators.jar dev.kiln.emulators.gcp.GceBuildStandIn --project P --zone us-east1-b \
 *     --image-name base-dev-1 --build-id r1-001 [--expires-at EPOCH] [--machine-type e2-standard-2] [--endpoint URL]
 *     [--poll-seconds 2] [--provision-seconds 0] [--source-image-family debian-12]
 *     [--source-image-project debian-cloud] [--disk-size 10] [--image-family F] [--max-attempts 8]
 *     [--max-backoff-seconds 16]
 * </pre>
 * {@code --endpoint}, {@code --zone} and {@code --poll-seconds} default to the environment Kiln's
 * GCP provider gives a build: {@code KILN_GCP_ENDPOINT}, {@code KILN_GCP_ZONE},
 * {@code KILN_GCP_POLL_SECONDS} (else 2 s, packer's interval).
 */
public final class GceBuildStandIn {

    /** The label every resource the build creates carries. */
    public static final String LABEL = "kiln-build-id";
    /** The label of the build's expiry, on the instance and its disk. */
    public static final String EXPIRY_LABEL = "kiln-expires-at";
    /** Exit status for a failed build. */
    public static final int FAILED = 1;
    /** Exit status for bad arguments. */
    public static final int USAGE = 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Options o;
    private final PrintStream out;
    private final TimeSource time;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final SplittableRandom jitter = new SplittableRandom();
    private final String base;
    private boolean instanceExists;
    private boolean diskExists;

    private GceBuildStandIn(Options options, PrintStream out, TimeSource time) {
        this.o = options;
        this.out = out;
        this.time = time;
        this.base = options.endpoint + "/compute/v1/projects/";
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs one build and returns its exit status: 0 built, {@link #FAILED}, or {@link #USAGE}. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args, env);
        } catch (IllegalArgumentException e) {
            err.println("gce-stand-in: " + e.getMessage());
            err.println("usage: GceBuildStandIn --project P --zone Z --image-name N --build-id B [--expires-at E]"
                    + " [--machine-type T]"
                    + " [--endpoint URL] [--poll-seconds S] [--provision-seconds S] [--source-image-family F]"
                    + " [--source-image-project P] [--disk-size GB] [--image-family F] [--max-attempts N]"
                    + " [--max-backoff-seconds S]");
            return USAGE;
        }
        GceBuildStandIn build = new GceBuildStandIn(options, out, TimeSource.system());
        try {
            build.build();
            out.println("==> googlecompute: image " + options.imageName + " is READY in project " + options.project);
            return 0;
        } catch (BuildFailed e) {
            err.println("==> googlecompute: " + e.getMessage());
            build.cleanUp();
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("==> googlecompute: interrupted");
            build.cleanUp();
            return FAILED;
        }
    }

    // ------------------------------------------------------------------ the build

    private void build() throws InterruptedException {
        String zone = o.zone;
        say("Checking image does not exist...");
        Answer existing = call("GET", "/global/images/" + o.imageName, null, "images.get");
        if (existing.status == 200) {
            throw new BuildFailed("Image " + o.imageName + " already exists. Use the force flag to delete it prior to"
                    + " building.");
        }
        JsonNode source = call200AnyProject("GET", sourceImage(), "images.getFromFamily");
        say("Using image: " + source.path("name").asText());
        call200("GET", "/zones/" + zone, null, "zones.get");
        say("Loading machine type: " + o.machineType);
        call200("GET", "/zones/" + zone + "/machineTypes/" + o.machineType, null, "machineTypes.get");

        say("Creating instance...");
        instanceExists = true;
        diskExists = true;
        Answer insert = call("POST", "/zones/" + zone + "/instances", instance(), "instances.insert");
        if (insert.status != 200) {
            instanceExists = false;
            diskExists = false;
            throw failed("creating instance", insert);
        }
        waitFor(insert.body, "Error creating instance");
        say("Instance has been created!");

        say("Waiting for the instance to become running...");
        while (true) {
            JsonNode instance = call200("GET", "/zones/" + zone + "/instances/" + o.instanceName, null,
                    "instances.get");
            if (instance.path("status").asText().equals("RUNNING")) {
                break;
            }
            sleep(o.poll);
        }
        JsonNode running = call200("GET", "/zones/" + zone + "/instances/" + o.instanceName, null, "instances.get");
        say("IP: " + running.path("networkInterfaces").path(0).path("accessConfigs").path(0).path("natIP").asText());

        if (!o.provision.isZero()) {
            say("Provisioning for " + o.provision.toMillis() + " ms...");
            sleep(o.provision);
        }

        say("Deleting instance...");
        call("GET", "/zones/" + zone + "/instances/" + o.instanceName + "/serialPort", null,
                "instances.getSerialPortOutput");
        JsonNode delete = call200("DELETE", "/zones/" + zone + "/instances/" + o.instanceName, null,
                "instances.delete");
        waitFor(delete, "Error deleting instance");
        instanceExists = false;
        say("Instance has been deleted!");

        say("Creating image...");
        ObjectNode image = JSON.createObjectNode()
                .put("name", o.imageName)
                .put("description", "Built by Kiln's googlecompute stand-in")
                .put("sourceDisk", "projects/" + o.project + "/zones/" + zone + "/disks/" + o.instanceName)
                .put("sourceType", "RAW");
        if (o.imageFamily != null) {
            image.put("family", o.imageFamily);
        }
        image.putObject("labels").put(LABEL, o.buildId);
        JsonNode created = call200("POST", "/global/images", image, "images.insert");
        waitFor(created, "Error waiting for image");
        call200("GET", "/global/images/" + o.imageName, null, "images.get");

        deleteDisk();
    }

    private void deleteDisk() throws InterruptedException {
        say("Deleting disk...");
        JsonNode op = call200("DELETE", "/zones/" + o.zone + "/disks/" + o.instanceName, null, "disks.delete");
        waitFor(op, "Error deleting disk");
        diskExists = false;
        say("Disk has been deleted!");
    }

    /** Undoes what exists, as packer's step cleanups do: the instance, then its disk. Failures are only reported. */
    private void cleanUp() {
        try {
            if (instanceExists) {
                say("Deleting instance...");
                Answer a = call("DELETE", "/zones/" + o.zone + "/instances/" + o.instanceName, null,
                        "instances.delete");
                if (a.status == 200) {
                    waitFor(a.body, "Error deleting instance");
                }
            }
            if (diskExists) {
                Answer a = call("DELETE", "/zones/" + o.zone + "/disks/" + o.instanceName, null, "disks.delete");
                if (a.status == 200) {
                    waitFor(a.body, "Error deleting disk");
                }
            }
        } catch (BuildFailed | InterruptedException e) {
            out.println("==> googlecompute: cleanup failed: " + e.getMessage()
                    + "; Kiln's sweep removes what is left by its label");
        }
    }

    private String sourceImage() {
        return "projects/" + o.sourceProject + "/global/images/family/" + o.sourceFamily;
    }

    private ObjectNode instance() {
        ObjectNode i = JSON.createObjectNode()
                .put("name", o.instanceName)
                .put("description", "New instance created by Packer")
                .put("machineType", "zones/" + o.zone + "/machineTypes/" + o.machineType);
        labels(i.putObject("labels"));
        ObjectNode disk = i.putArray("disks").addObject()
                .put("type", "PERSISTENT").put("mode", "READ_WRITE").put("kind", "compute#attachedDisk")
                .put("boot", true).put("autoDelete", false);
        ObjectNode init = disk.putObject("initializeParams")
                .put("sourceImage", sourceImage())
                .put("diskSizeGb", Integer.toString(o.diskSizeGb))
                .put("diskType", "zones/" + o.zone + "/diskTypes/pd-standard");
        labels(init.putObject("labels"));
        ObjectNode nic = i.putArray("networkInterfaces").addObject().put("network", "global/networks/default");
        nic.putArray("accessConfigs").addObject().put("name", "AccessConfig created by Packer")
                .put("type", "ONE_TO_ONE_NAT");
        i.putObject("scheduling").put("onHostMaintenance", "MIGRATE").put("preemptible", false);
        return i;
    }

    /** The template's {@code labels}: the build id, and the expiry when there is one. */
    private void labels(ObjectNode labels) {
        labels.put(LABEL, o.buildId);
        if (o.expiresAt != null) {
            labels.put(EXPIRY_LABEL, o.expiresAt);
        }
    }

    /** Polls an operation at once, then every poll interval, until DONE; its error fails the build. */
    private void waitFor(JsonNode operation, String what) throws InterruptedException {
        String name = operation.path("name").asText();
        String zoneUrl = operation.path("zone").asText("");
        String path = zoneUrl.isEmpty() ? "/global/operations/" + name
                : "/zones/" + zoneUrl.substring(zoneUrl.lastIndexOf('/') + 1) + "/operations/" + name;
        String method = zoneUrl.isEmpty() ? "globalOperations.get" : "zoneOperations.get";
        while (true) {
            JsonNode op = call200("GET", path, null, method);
            if (op.path("status").asText().equals("DONE")) {
                JsonNode errors = op.path("error").path("errors");
                if (errors.isArray() && !errors.isEmpty()) {
                    StringBuilder b = new StringBuilder(what).append(": ");
                    for (JsonNode e : errors) {
                        b.append(e.path("code").asText()).append(": ").append(e.path("message").asText()).append(' ');
                    }
                    throw new BuildFailed(b.toString().trim());
                }
                return;
            }
            sleep(o.poll);
        }
    }

    // ------------------------------------------------------------------ HTTP with retries

    private record Answer(int status, JsonNode body) {
    }

    private JsonNode call200AnyProject(String method, String projectPath, String name) throws InterruptedException {
        Answer a = callAnyProject(method, projectPath, null, name);
        if (a.status != 200) {
            throw failed(name, a);
        }
        return a.body;
    }

    private JsonNode call200(String method, String path, JsonNode body, String name) throws InterruptedException {
        Answer a = call(method, path, body, name);
        if (a.status != 200) {
            throw failed(name, a);
        }
        return a.body;
    }

    /** A call in the build's project; {@code path} starts after {@code projects/<project>}. */
    private Answer call(String method, String path, JsonNode body, String name) throws InterruptedException {
        return callAnyProject(method, "projects/" + o.project + path, body, name);
    }

    /** One call, retried (with backoff) while throttled or unavailable; any other answer is returned. */
    private Answer callAnyProject(String method, String projectPath, JsonNode body, String name)
            throws InterruptedException {
        Duration backoff = o.maxBackoff.compareTo(Duration.ofSeconds(1)) < 0 ? o.maxBackoff : Duration.ofSeconds(1);
        for (int attempt = 1; ; attempt++) {
            Answer a = send(method, projectPath.substring("projects/".length()), body, name);
            String reason = a.body.path("error").path("errors").path(0).path("reason").asText("");
            boolean throttled = a.status == 429 || a.status == 403
                    && (reason.equals("rateLimitExceeded") || reason.equals("userRateLimitExceeded"));
            boolean unavailable = a.status >= 500;
            if ((!throttled && !unavailable) || attempt >= o.maxAttempts) {
                return a;
            }
            Duration wait = backoff.dividedBy(2).plusMillis((long) (jitter.nextDouble() * backoff.toMillis() / 2));
            out.printf(Locale.ROOT, "    googlecompute: %s answered %d %s; retrying in %.1f s (attempt %d of %d)%n",
                    name, a.status, throttled ? "rateLimitExceeded" : "unavailable", wait.toMillis() / 1000.0,
                    attempt + 1, o.maxAttempts);
            sleep(wait);
            backoff = backoff.multipliedBy(2).compareTo(o.maxBackoff) > 0 ? o.maxBackoff : backoff.multipliedBy(2);
        }
    }

    private Answer send(String method, String path, JsonNode body, String name) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .header("User-Agent", "kiln-gce-stand-in (packer googlecompute 1.6.6 call sequence)");
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json;
            try {
                json = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
            } catch (IOException notJson) {
                json = JSON.createObjectNode().put("raw", r.body());
            }
            return new Answer(r.statusCode(), json);
        } catch (IOException e) {
            return new Answer(503, JSON.createObjectNode().put("raw", name + ": " + e));
        }
    }

    private BuildFailed failed(String what, Answer a) {
        JsonNode error = a.body.path("error");
        String reason = error.path("errors").path(0).path("reason").asText("");
        return new BuildFailed("Error " + what + ": googleapi: Error " + a.status + ": "
                + error.path("message").asText(a.body.path("raw").asText("")) + (reason.isEmpty() ? "" : ", " + reason));
    }

    private void sleep(Duration d) throws InterruptedException {
        time.sleep(d);
    }

    private void say(String message) {
        out.println("==> googlecompute: " + message);
    }

    private static final class BuildFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BuildFailed(String message) {
            super(message, null, false, false);
        }
    }

    // ------------------------------------------------------------------ arguments

    private static final class Options {
        String endpoint;
        String project;
        String zone;
        String imageName;
        String buildId;
        String expiresAt;
        String machineType = "n1-standard-1";
        String sourceFamily = "debian-12";
        String sourceProject = "debian-cloud";
        String imageFamily;
        String instanceName = "packer-" + UUID.randomUUID();
        int diskSizeGb = 10;
        int maxAttempts = 8;
        Duration poll = Duration.ofSeconds(2);
        Duration provision = Duration.ZERO;
        Duration maxBackoff = Duration.ofSeconds(16);

        static Options parse(String[] args, Map<String, String> env) {
            Map<String, String> given = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument '" + arg + "'");
                }
                int eq = arg.indexOf('=');
                if (eq > 0) {
                    given.put(arg.substring(2, eq), arg.substring(eq + 1));
                } else if (i + 1 < args.length) {
                    given.put(arg.substring(2), args[++i]);
                } else {
                    throw new IllegalArgumentException(arg + " needs a value");
                }
            }
            Options o = new Options();
            o.endpoint = take(given, "endpoint", env.get("KILN_GCP_ENDPOINT"));
            o.project = take(given, "project", null);
            o.zone = take(given, "zone", env.get("KILN_GCP_ZONE"));
            o.imageName = take(given, "image-name", null);
            o.buildId = take(given, "build-id", null);
            o.expiresAt = take(given, "expires-at", "");
            if (o.expiresAt.isBlank()) {
                o.expiresAt = null;
            }
            o.machineType = take(given, "machine-type", o.machineType);
            o.sourceFamily = take(given, "source-image-family", o.sourceFamily);
            o.sourceProject = take(given, "source-image-project", o.sourceProject);
            o.imageFamily = given.remove("image-family");
            o.instanceName = take(given, "instance-name", o.instanceName);
            o.diskSizeGb = number(take(given, "disk-size", "10"), "disk-size");
            o.maxAttempts = number(take(given, "max-attempts", "8"), "max-attempts");
            o.poll = seconds(take(given, "poll-seconds", env.getOrDefault("KILN_GCP_POLL_SECONDS", "2")),
                    "poll-seconds");
            o.provision = seconds(take(given, "provision-seconds", "0"), "provision-seconds");
            o.maxBackoff = seconds(take(given, "max-backoff-seconds", "16"), "max-backoff-seconds");
            if (o.maxBackoff.compareTo(Duration.ofMillis(100)) < 0) {
                throw new IllegalArgumentException("--max-backoff-seconds must be at least 0.1");
            }
            if (!given.isEmpty()) {
                throw new IllegalArgumentException("unknown option(s) " + given.keySet());
            }
            for (String[] required : new String[][] {{"endpoint", o.endpoint}, {"project", o.project},
                {"zone", o.zone}, {"image-name", o.imageName}, {"build-id", o.buildId}}) {
                if (required[1] == null || required[1].isBlank()) {
                    throw new IllegalArgumentException("--" + required[0] + " is required"
                            + (required[0].equals("endpoint") ? " (or KILN_GCP_ENDPOINT)"
                                    : required[0].equals("zone") ? " (or KILN_GCP_ZONE)" : ""));
                }
            }
            while (o.endpoint.endsWith("/")) {
                o.endpoint = o.endpoint.substring(0, o.endpoint.length() - 1);
            }
            if (!GceWorld.NAME.matcher(o.imageName).matches()) {
                throw new IllegalArgumentException("--image-name '" + o.imageName + "' is not a GCE name (lowercase"
                        + " letters, digits and '-', starting with a letter, at most 63)");
            }
            return o;
        }

        private static String take(Map<String, String> given, String name, String fallback) {
            String v = given.remove(name);
            return v != null ? v : fallback;
        }

        private static int number(String v, String name) {
            try {
                int n = Integer.parseInt(v.trim());
                if (n < 1) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " takes a positive whole number, got '" + v + "'");
            }
        }

        private static Duration seconds(String v, String name) {
            try {
                double s = Double.parseDouble(v.trim());
                if (!(s >= 0) || Double.isInfinite(s)) {
                    throw new NumberFormatException();
                }
                return Duration.ofNanos(Math.round(s * 1e9));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " takes seconds (e.g. 2 or 0.5), got '" + v + "'");
            }
        }
    }
}
