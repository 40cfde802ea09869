package dev.kiln.vsphere.internal;

import dev.kiln.limits.ProviderDefaults;
import dev.kiln.spi.ApiGate;
import dev.kiln.spi.CredentialsException;
import dev.kiln.time.TimeSource;
import dev.kiln.vsphere.VsphereException;
import dev.kiln.vsphere.VsphereProvider;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.xml.stream.XMLStreamException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small client of one vCenter's vim25 SOAP API ({@code /sdk}), for what the REST API cannot see:
 * VMs that are templates ({@code GET /api/vcenter/vm} leaves them out on vCenter 7+), with their
 * annotations, and destroying them. It reads the service content, logs in once (the session in the
 * {@code vmware_soap_session} cookie), logs in again once when a call says the session is gone,
 * retries 503s a few times on the run's clock, and logs out on {@link #close()}. Every HTTP call
 * first passes Kiln's gate ({@code vcenter.rest}, the budget of Kiln's own calls to vCenter).
 * Thread-safe.
 */
final class VimClient {

    /** A VM or template as Kiln reads it. */
    record Vm(String id, String name, boolean template, String annotation, String powerState) {
    }

    /**
     * A task as its {@code TaskInfo} tells it.
     *
     * @param descriptionId what it does, e.g. {@code VirtualMachine.clone}, {@code Folder.createVm}
     * @param state         {@code queued}, {@code running}, {@code success} or {@code error}
     * @param queueTime     when vCenter queued it, as vCenter wrote it
     * @param entityName    the name of what it works on (a clone's source VM, a create's folder)
     * @param result        the moref of what it made (a clone's or create's new VM), once it succeeded
     */
    record Task(String id, String descriptionId, String state, String queueTime, String entityName,
            String result) {

        boolean ended() {
            return "success".equals(state) || "error".equals(state);
        }
    }

    private record Content(String rootFolder, String propertyCollector, String viewManager, String sessionManager,
            String taskManager) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(VimClient.class);
    private static final String COOKIE = "vmware_soap_session";
    private static final int UNAVAILABLE_RETRIES = 3;
    private static final Duration TASK_LIMIT = Duration.ofMinutes(10);
    /** The parts of a task's info {@link Task} holds, asked for alone: a whole TaskInfo carries much more. */
    private static final String TASK_PROPERTIES = "<propSet><type>Task</type><pathSet>info.descriptionId</pathSet>"
            + "<pathSet>info.state</pathSet><pathSet>info.queueTime</pathSet><pathSet>info.entityName</pathSet>"
            + "<pathSet>info.result</pathSet></propSet>";

    private final URI base;
    private final Credentials credentials;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final Supplier<TimeSource> time;
    private final Object loginLock = new Object();
    private volatile Content content;
    private volatile String cookie;
    private volatile ApiGate lastGate = ApiGate.open();

    VimClient(URI base, Credentials credentials, HttpClient http, Duration requestTimeout, Supplier<TimeSource> time) {
        this.base = base;
        this.credentials = credentials;
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.time = time;
    }

    /** Every VM of the vCenter, templates included, with name, template flag, annotation and power state. */
    List<Vm> vms(ApiGate gate) {
        Content c = login(gate);
        String view = invoke(gate, "CreateContainerView", "<CreateContainerView xmlns=\"urn:vim25\">"
                + VimXml.ref("_this", "ViewManager", c.viewManager()) + VimXml.ref("container", "Folder",
                c.rootFolder()) + "<type>VirtualMachine</type><recursive>true</recursive></CreateContainerView>")
                .text("returnval");
        try {
            List<Vm> out = new ArrayList<>();
            for (VimXml o : retrieveAll(gate, c, "<propSet><type>VirtualMachine</type><pathSet>name</pathSet>"
                    + "<pathSet>config.template</pathSet><pathSet>config.annotation</pathSet><pathSet>"
                    + "runtime.powerState</pathSet></propSet><objectSet>" + VimXml.ref("obj", "ContainerView", view)
                    + "<skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><name>traverseEntities</name><type>"
                    + "ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet>")) {
                out.add(vm(o));
            }
            return out;
        } finally {
            try {
                invoke(gate, "DestroyView", "<DestroyView xmlns=\"urn:vim25\">" + VimXml.ref("_this", "ContainerView",
                        view) + "</DestroyView>");
            } catch (VsphereException e) {
                LOG.debug("could not destroy container view {} on {}: {}", view, base, e.getMessage());
            }
        }
    }

    /** Every {@code ObjectContent} the filter spec {@code specSet} (its propSet and objectSet) reaches, page by page. */
    private List<VimXml> retrieveAll(ApiGate gate, Content c, String specSet) {
        List<VimXml> out = new ArrayList<>();
        VimXml result = invoke(gate, "RetrievePropertiesEx", "<RetrievePropertiesEx xmlns=\"urn:vim25\">"
                + VimXml.ref("_this", "PropertyCollector", c.propertyCollector()) + "<specSet>" + specSet
                + "</specSet><options/></RetrievePropertiesEx>").child("returnval");
        while (result != null) {
            out.addAll(result.all("objects"));
            String token = result.text("token");
            result = token == null ? null : invoke(gate, "ContinueRetrievePropertiesEx",
                    "<ContinueRetrievePropertiesEx xmlns=\"urn:vim25\">" + VimXml.ref("_this", "PropertyCollector",
                            c.propertyCollector()) + "<token>" + VimXml.escape(token)
                            + "</token></ContinueRetrievePropertiesEx>").child("returnval");
        }
        return out;
    }

    /**
     * The tasks of {@code TaskManager.recentTask}, each with its info: those queued or running,
     * and those that ended lately (vCenter keeps an ended task there for minutes), as far as this
     * user may see them.
     */
    List<Task> recentTasks(ApiGate gate) {
        Content c = login(gate);
        List<Task> out = new ArrayList<>();
        for (VimXml o : retrieveAll(gate, c, TASK_PROPERTIES + "<objectSet>" + VimXml.ref("obj", "TaskManager",
                c.taskManager()) + "<skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><name>recentTasks</name>"
                + "<type>TaskManager</type><path>recentTask</path><skip>false</skip></selectSet></objectSet>")) {
            out.add(task(o));
        }
        return out;
    }

    /** Task {@code id}'s info; empty when vCenter no longer knows the task. */
    Optional<Task> task(ApiGate gate, String id) {
        try {
            VimXml rv = invoke(gate, "RetrieveProperties", "<RetrieveProperties xmlns=\"urn:vim25\">"
                    + VimXml.ref("_this", "PropertyCollector", login(gate).propertyCollector()) + "<specSet>"
                    + TASK_PROPERTIES + "<objectSet>" + VimXml.ref("obj", "Task", id) + "</objectSet></specSet>"
                    + "</RetrieveProperties>").child("returnval");
            return rv == null ? Optional.empty() : Optional.of(task(rv));
        } catch (VsphereException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static Task task(VimXml objectContent) {
        Map<String, String> info = new HashMap<>();
        for (VimXml p : objectContent.all("propSet")) {
            info.put(p.text("name"), p.child("val") == null ? null : p.child("val").text);
        }
        return new Task(objectContent.text("obj"), String.valueOf(info.get("info.descriptionId")),
                String.valueOf(info.get("info.state")), info.get("info.queueTime"), info.get("info.entityName"),
                info.get("info.result"));
    }

    private static Vm vm(VimXml objectContent) {
        String id = objectContent.text("obj");
        String name = "";
        boolean template = false;
        String annotation = "";
        String power = "";
        for (VimXml p : objectContent.all("propSet")) {
            String value = p.child("val") == null ? "" : p.child("val").text;
            switch (p.text("name")) {
                case "name" -> name = value;
                case "config.template" -> template = Boolean.parseBoolean(value);
                case "config.annotation" -> annotation = value;
                case "runtime.powerState" -> power = value;
                default -> {
                }
            }
        }
        return new Vm(id, name, template, annotation, power);
    }

    /**
     * Powers VM {@code id} off when it is on, then destroys it, waiting for both tasks; false when
     * it was gone already. Templates are destroyed the same way.
     */
    boolean destroy(ApiGate gate, String id) {
        try {
            VimXml answer = invoke(gate, "RetrieveProperties", "<RetrieveProperties xmlns=\"urn:vim25\">"
                    + VimXml.ref("_this", "PropertyCollector", login(gate).propertyCollector()) + "<specSet><propSet>"
                    + "<type>VirtualMachine</type><pathSet>runtime.powerState</pathSet></propSet><objectSet>"
                    + VimXml.ref("obj", "VirtualMachine", id) + "</objectSet></specSet></RetrieveProperties>");
            VimXml rv = answer.child("returnval");
            String power = rv == null || rv.child("propSet") == null ? "" : rv.child("propSet").child("val").text;
            if ("poweredOn".equals(power)) {
                try {
                    await(gate, "PowerOffVM_Task", invoke(gate, "PowerOffVM_Task", "<PowerOffVM_Task xmlns=\"urn:vim25\">"
                            + VimXml.ref("_this", "VirtualMachine", id) + "</PowerOffVM_Task>").text("returnval"));
                } catch (VsphereException e) {
                    // Off by now: what the destroy needs.
                    if (!"InvalidPowerState".equals(e.errorType())) {
                        throw e;
                    }
                }
            }
            await(gate, "Destroy_Task", invoke(gate, "Destroy_Task", "<Destroy_Task xmlns=\"urn:vim25\">"
                    + VimXml.ref("_this", "VirtualMachine", id) + "</Destroy_Task>").text("returnval"));
            return true;
        } catch (VsphereException e) {
            if (e.notFound()) {
                return false;
            }
            throw e;
        }
    }

    /** Waits for task {@code task} to end, polling its state; a task that ends in error throws its fault. */
    private void await(ApiGate gate, String operation, String task) {
        TimeSource clock = time.get();
        long deadline = clock.nanoTime() + TASK_LIMIT.toNanos();
        Duration pause = Duration.ofMillis(100);
        while (true) {
            VimXml rv = invoke(gate, "RetrieveProperties", "<RetrieveProperties xmlns=\"urn:vim25\">"
                    + VimXml.ref("_this", "PropertyCollector", login(gate).propertyCollector()) + "<specSet><propSet>"
                    + "<type>Task</type><pathSet>info</pathSet></propSet><objectSet>" + VimXml.ref("obj", "Task", task)
                    + "</objectSet></specSet></RetrieveProperties>").child("returnval");
            VimXml info = rv == null ? null : rv.child("propSet").child("val");
            String state = info == null ? "" : info.text("state");
            if ("success".equals(state)) {
                return;
            }
            if ("error".equals(state)) {
                VimXml error = info.child("error");
                String fault = error == null || error.child("fault") == null ? null : error.child("fault").type;
                String message = error == null ? "" : error.text("localizedMessage");
                throw new VsphereException(base, operation, 200, fault, "vCenter " + base + ": " + operation
                        + " failed" + (fault == null ? "" : " (" + fault + ")") + ": " + message, null);
            }
            if (clock.nanoTime() > deadline) {
                throw new VsphereException(base, operation, 0, null, "vCenter " + base + ": " + operation + " task "
                        + task + " did not end within " + TASK_LIMIT.toMinutes() + " minutes", null);
            }
            pause(pause);
            pause = pause.multipliedBy(2).compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2)
                    : pause.multipliedBy(2);
        }
    }

    /** Logs out, if logged in; errors are only logged: the session times out anyway. */
    void close() {
        Content c = content;
        if (cookie == null || c == null) {
            return;
        }
        try {
            invoke(lastGate, "Logout", "<Logout xmlns=\"urn:vim25\">" + VimXml.ref("_this", "SessionManager",
                    c.sessionManager()) + "</Logout>");
        } catch (VsphereException e) {
            LOG.debug("vim25 logout from {} failed: {}", base, e.getMessage());
        }
        cookie = null;
    }

    // ------------------------------------------------------------------ sessions and calls

    private Content login(ApiGate gate) {
        Content c = content;
        if (c != null && cookie != null) {
            return c;
        }
        synchronized (loginLock) {
            if (content != null && cookie != null) {
                return content;
            }
            VimXml sc = send(gate, "RetrieveServiceContent", VimXml.envelope("<RetrieveServiceContent"
                    + " xmlns=\"urn:vim25\"><_this type=\"ServiceInstance\">ServiceInstance</_this>"
                    + "</RetrieveServiceContent>").getBytes(StandardCharsets.UTF_8), false).body.child("returnval");
            c = new Content(sc.text("rootFolder"), sc.text("propertyCollector"), sc.text("viewManager"),
                    sc.text("sessionManager"), sc.text("taskManager"));
            byte[] body = credentials.soapLogin(c.sessionManager());
            if (body == null) {
                throw credentialsProblem(new VsphereException(base, "Login", 0, null, "no vCenter credentials for "
                        + base + ": set " + credentials.source(), null));
            }
            Answer a;
            try {
                a = send(gate, "Login", body, false);
            } finally {
                Arrays.fill(body, (byte) 0);
            }
            if ("InvalidLogin".equals(a.fault)) {
                throw credentialsProblem(new VsphereException(base, "Login", a.status, a.fault, "vCenter " + base
                        + " refused the vim25 login of user '" + credentials.user() + "' (InvalidLogin); check "
                        + credentials.source(), null));
            }
            if (a.fault != null || a.cookie == null) {
                throw failure("Login", a);
            }
            cookie = a.cookie;
            content = c;
            return c;
        }
    }

    private static CredentialsException credentialsProblem(VsphereException e) {
        return new CredentialsException(VsphereProvider.ID, "vsphere: " + e.getMessage(), e);
    }

    /** The method's response element; a fault throws. */
    private VimXml invoke(ApiGate gate, String operation, String method) {
        lastGate = gate;
        int unavailable = 0;
        boolean relogged = false;
        while (true) {
            login(gate);
            Answer a = send(gate, operation, VimXml.envelope(method).getBytes(StandardCharsets.UTF_8), true);
            if ("NotAuthenticated".equals(a.fault) && !relogged) {
                relogged = true;
                synchronized (loginLock) {
                    cookie = null;
                }
                continue;
            }
            if (a.status == 503 && unavailable < UNAVAILABLE_RETRIES) {
                unavailable++;
                gate.throttled(ProviderDefaults.VCENTER_REST, Duration.ZERO);
                pause(Duration.ofSeconds(1L << (unavailable - 1)));
                continue;
            }
            if (a.fault != null || a.status >= 300) {
                throw failure(operation, a);
            }
            return a.body;
        }
    }

    private record Answer(int status, VimXml body, String fault, String faultString, String cookie) {
    }

    private VsphereException failure(String operation, Answer a) {
        return new VsphereException(base, operation, a.status, a.fault, "vCenter " + base + " answered " + a.status
                + (a.fault == null ? "" : " " + a.fault) + " to " + operation + (a.faultString == null ? ""
                : ": " + a.faultString), null);
    }

    private Answer send(ApiGate gate, String operation, byte[] envelope, boolean withCookie) {
        try {
            gate.acquire(ProviderDefaults.VCENTER_REST);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VsphereException(base, operation, 0, null, "interrupted waiting for Kiln's limits before "
                    + operation + " on vCenter " + base, e);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/sdk")).timeout(requestTimeout)
                .header("Content-Type", "text/xml; charset=utf-8").header("SOAPAction", "urn:vim25/7.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(envelope));
        String session = cookie;
        if (withCookie && session != null) {
            b.header("Cookie", COOKIE + "=" + session);
        }
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            LOG.debug("POST /sdk {} -> {}", operation, r.statusCode());
            String setCookie = r.headers().allValues("set-cookie").stream().filter(c -> c.startsWith(COOKIE + "="))
                    .map(c -> c.substring(COOKIE.length() + 1).split(";", 2)[0].strip()).findFirst().orElse(null);
            VimXml body = null;
            try {
                VimXml envelopeXml = VimXml.parse(r.body());
                VimXml bodyXml = envelopeXml.child("Body");
                body = bodyXml == null || bodyXml.children.isEmpty() ? null : bodyXml.children.get(0);
            } catch (XMLStreamException e) {
                if (r.statusCode() < 300) {
                    throw new VsphereException(base, operation, r.statusCode(), null, "vCenter " + base
                            + " answered " + operation + " with something that is not XML", e);
                }
            }
            if (body != null && body.name.equals("Fault")) {
                VimXml detail = body.child("detail");
                String fault = detail == null || detail.children.isEmpty() ? "ServerFault"
                        : detail.children.get(0).type != null ? detail.children.get(0).type
                        : detail.children.get(0).name.replaceFirst("Fault$", "");
                return new Answer(r.statusCode(), body, fault, body.text("faultstring"), setCookie);
            }
            if (body == null && r.statusCode() < 300) {
                throw new VsphereException(base, operation, r.statusCode(), null, "vCenter " + base
                        + " answered " + operation + " without a SOAP body", null);
            }
            return new Answer(r.statusCode(), body, null, null, setCookie);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VsphereException(base, operation, 0, null, "interrupted during " + operation + " on vCenter "
                    + base, e);
        } catch (HttpTimeoutException e) {
            throw new VsphereException(base, operation, 0, null, "vCenter " + base + " did not answer " + operation
                    + " within " + requestTimeout.toSeconds() + " s", e);
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (causedBy(e, SSLException.class)) {
                throw new VsphereException(base, operation, 0, null, "TLS with vCenter " + base + " failed: " + why
                        + "; if its certificate is signed by your own CA, give the CA with"
                        + " VsphereProvider.builder().trustStore(...) (insecure() only for labs)", e);
            }
            if (causedBy(e, ConnectException.class)) {
                throw new VsphereException(base, operation, 0, null, "cannot connect to vCenter " + base + ": " + why, e);
            }
            throw new VsphereException(base, operation, 0, null, "calling vCenter " + base + " failed during "
                    + operation + ": " + why, e);
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private void pause(Duration d) {
        try {
            time.get().sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VsphereException(base, "wait", 0, null, "interrupted while waiting on vCenter " + base, e);
        }
    }

    @Override
    public String toString() {
        return "VimClient[" + base + "]";
    }
}
