package dev.kiln.emulators.vsphere;

import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.Faults;
import dev.kiln.emulators.spi.Answer;
import dev.kiln.emulators.spi.ApiError;
import dev.kiln.emulators.spi.ApiLimits;
import dev.kiln.emulators.spi.Call;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import dev.kiln.emulators.spi.Exchange;
import dev.kiln.emulators.spi.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * vCenter's vim25 SOAP API at {@code /sdk}: one {@code POST} per method, the envelope read
 * namespace-aware (govmomi's {@code XMLSchema-instance:} prefix and undeclared {@code xsd:} types
 * included), the session in the {@code vmware_soap_session} cookie, answers in
 * {@code <Method>Response} elements and errors as {@code soapenv:Fault}s with the fault object in
 * {@code detail}. Methods are counted, journaled and fault-injected under their own names
 * ({@code CloneVM_Task}); a method the emulator does not have answers vim25's
 * {@code MethodNotFound}. Sessions, inventory, tasks and provisioning queues are the REST API's.
 */
final class VimProtocol implements Protocol<VimProtocol.VimExchange> {

    static final String COOKIE = "vmware_soap_session";

    private static final Logger LOG = LoggerFactory.getLogger(VcenterEmulator.class);
    private static final String TYPE = "text/xml; charset=utf-8";
    private static final String ENVELOPE = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope"
            + " xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\""
            + " xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
            + " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
            + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>";
    private static final String END = "</soapenv:Body></soapenv:Envelope>";
    /** Methods callable without a session. */
    private static final Set<String> ANONYMOUS = Set.of("RetrieveServiceContent", "Login", "CurrentTime");

    /** One method: the type its {@code _this} must be (or be a subtype of), and what answers it. */
    private record Method(String thisType, Handler handler) {
    }

    /** Answers one call: its return values (each a {@code returnval}), none for a void method. */
    @FunctionalInterface
    interface Handler {
        List<Node> run(VimExchange x) throws InterruptedException;
    }

    /** One SOAP request: the method element, its {@code _this}, and the session cookie. */
    static final class VimExchange extends Exchange {
        final Node method;
        final MoRef self;
        final String cookie;
        String session;
        String user;
        String setCookie;

        VimExchange(Request request, String vcenter, Node method, MoRef self, String cookie) {
            super(request, vcenter, "", method == null ? "unknown" : method.name);
            this.method = method;
            this.self = self;
            this.cookie = cookie;
        }

        /** The argument {@code name}, or null. */
        Node arg(String name) {
            return method.child(name);
        }

        MoRef ref(String name) {
            return method.ref(name);
        }

        String text(String name) {
            return method.text(name);
        }
    }

    private final VcenterConfig config;
    private final Sessions sessions;
    private final Predicate<String> firstUnknown;
    private final Map<String, Method> methods = new LinkedHashMap<>();

    VimProtocol(VcenterConfig config, Sessions sessions, VimObjects objects, PropertyCollector collector, VimVms vms,
            VimFiles files, Predicate<String> firstUnknown) {
        this.config = config;
        this.sessions = sessions;
        this.firstUnknown = firstUnknown;
        VimSessions login = new VimSessions(config, sessions, objects.inv);
        VimSearch search = new VimSearch(objects);
        method("RetrieveServiceContent", "ServiceInstance", x -> List.of(objects.serviceContent("returnval")));
        method("CurrentTime", "ServiceInstance", x -> List.of(Node.text("returnval", null, objects.inv.time.now())));
        method("Login", "SessionManager", login::login);
        method("Logout", "SessionManager", login::logout);
        method("SessionIsActive", "SessionManager", login::isActive);
        method("RetrieveProperties", "PropertyCollector", x -> collector.retrieve(x.method.all("specSet")).stream()
                .map(c -> PropertyCollector.objectContent("returnval", c)).toList());
        method("RetrievePropertiesEx", "PropertyCollector", x -> one(collector.retrieveEx(x.self,
                x.method.all("specSet"), x.arg("options"))));
        method("ContinueRetrievePropertiesEx", "PropertyCollector", x -> one(collector.continueEx(x.self,
                x.text("token"))));
        method("CancelRetrievePropertiesEx", "PropertyCollector", x -> List.of());
        method("CreatePropertyCollector", "PropertyCollector", x -> List.of(Node.ref("returnval",
                collector.create(x.session)).untyped()));
        method("DestroyPropertyCollector", "PropertyCollector", x -> {
            collector.destroy(x.self);
            return List.of();
        });
        method("CreateFilter", "PropertyCollector", x -> List.of(Node.ref("returnval",
                collector.createFilter(x.self, require(x.arg("spec"), "spec"))).untyped()));
        method("DestroyPropertyFilter", "PropertyFilter", x -> {
            collector.destroyFilter(x.self);
            return List.of();
        });
        method("WaitForUpdatesEx", "PropertyCollector", x -> one(collector.waitForUpdates(x.self, x.text("version"),
                x.arg("options"))));
        method("WaitForUpdates", "PropertyCollector", x -> one(collector.waitForUpdates(x.self, x.text("version"),
                null)));
        method("CancelWaitForUpdates", "PropertyCollector", x -> {
            collector.cancelWait(x.self);
            return List.of();
        });
        method("CreateContainerView", "ViewManager", search::createContainerView);
        method("DestroyView", "View", search::destroyView);
        method("FindByInventoryPath", "SearchIndex", search::findByInventoryPath);
        method("FindChild", "SearchIndex", search::findChild);
        method("FindByUuid", "SearchIndex", search::findByUuid);
        method("CreateFolder", "Folder", vms::createFolder);
        method("CreateVM_Task", "Folder", vms::createVm);
        method("CloneVM_Task", "VirtualMachine", vms::cloneVm);
        method("ReconfigVM_Task", "VirtualMachine", vms::reconfigure);
        method("PowerOnVM_Task", "VirtualMachine", vms::powerOn);
        method("PowerOffVM_Task", "VirtualMachine", vms::powerOff);
        method("ShutdownGuest", "VirtualMachine", vms::shutdownGuest);
        method("CreateSnapshot_Task", "VirtualMachine", vms::createSnapshot);
        method("MarkAsTemplate", "VirtualMachine", vms::markAsTemplate);
        method("MarkAsVirtualMachine", "VirtualMachine", vms::markAsVirtualMachine);
        method("PutUsbScanCodes", "VirtualMachine", vms::putUsbScanCodes);
        method("Destroy_Task", "VirtualMachine", vms::destroy);
        method("CancelTask", "Task", vms::cancelTask);
        method("MakeDirectory", "FileManager", files::makeDirectory);
        method("DeleteDatastoreFile_Task", "FileManager", files::deleteFile);
        method("SearchDatastore_Task", "HostDatastoreBrowser", files::search);
    }

    private void method(String name, String thisType, Handler handler) {
        methods.put(name, new Method(thisType, handler));
    }

    private static List<Node> one(Node returnval) {
        if (returnval == null) {
            return List.of();
        }
        returnval.name = "returnval";
        return List.of(returnval);
    }

    static Node require(Node arg, String name) {
        if (arg == null) {
            throw VimFault.invalidArgument(name);
        }
        return arg;
    }

    static boolean accepts(Request request) {
        return request.path().equals("/sdk") || request.path().equals("/sdk/");
    }

    // ------------------------------------------------------------------ the pipeline's steps

    @Override
    public VimExchange open(Request request) {
        String cookie = cookie(request.header("cookie"));
        if (!"POST".equals(request.method())) {
            return new VimExchange(request, config.name(), null, null, cookie);
        }
        Node envelope = Node.parse(request.body());
        Node body = envelope.child("Body");
        Node method = body == null || body.children.isEmpty() ? null : body.children.get(0);
        MoRef self = method == null || method.child("_this") == null ? null : method.ref("_this");
        return new VimExchange(request, config.name(), method, self, cookie);
    }

    /** The {@code vmware_soap_session} value of a {@code Cookie} header; pyvmomi sends the attributes back too. */
    static String cookie(String header) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            String p = part.strip();
            if (p.startsWith(COOKIE + "=")) {
                String v = p.substring(COOKIE.length() + 1).strip();
                return v.startsWith("\"") && v.endsWith("\"") && v.length() > 1 ? v.substring(1, v.length() - 1) : v;
            }
        }
        return null;
    }

    @Override
    public Call route(VimExchange x) {
        if (x.method == null) {
            throw VimFault.invalidRequest("The vim25 API takes one SOAP method per POST to /sdk.");
        }
        String name = x.method.name;
        Method m = methods.get(name);
        if (m == null) {
            if (firstUnknown.test("POST /sdk " + name)) {
                LOG.warn("vCenter emulator: no vim25 method {} (answered MethodNotFound)", name);
            }
            throw methodNotFound(x, name);
        }
        if (x.self == null) {
            throw VimFault.invalidRequest("The method " + name + " names no _this object.");
        }
        if (!VimObjects.isA(x.self.type(), m.thisType())) {
            throw methodNotFound(x, name);
        }
        return new Call(name, x.account(), null, null, () -> Answer.ok(respond(x, name, m.handler().run(x))));
    }

    private static VimFault methodNotFound(VimExchange x, String name) {
        MoRef receiver = x.self == null ? new MoRef("ServiceInstance", "ServiceInstance") : x.self;
        return new VimFault("MethodNotFound", receiver + " does not implement: " + name,
                Node.ref("receiver", receiver).untyped(), Node.text("method", null, name));
    }

    /** A session for every method but the few that start one; the session's user for tasks. */
    @Override
    public void admit(Call call, VimExchange x) {
        Sessions.Session s = sessions.touch(x.cookie);
        if (s != null) {
            x.session = s.token();
            x.user = s.user();
        } else if (!ANONYMOUS.contains(call.action())) {
            throw VimFault.notAuthenticated();
        }
    }

    @Override
    public ApiError injected(Faults.Effect effect, VimExchange x) {
        return switch (effect) {
            case OUTAGE, THROTTLE -> new VimFault(503, "HostCommunication", "The vCenter Server is temporarily"
                    + " unavailable: " + (effect == Faults.Effect.OUTAGE ? "it does not answer" : "it is busy")
                    + ".", Outcome.INJECTED_FAULT, List.of());
            default -> new VimFault(500, "SystemError", "A general system error occurred: injected fault.",
                    Outcome.INJECTED_FAULT, List.of(Node.text("reason", null, "injected fault")));
        };
    }

    /** Never asked: no vim25 method charges a limit. */
    @Override
    public ApiError throttled(ApiLimits.Refusal refusal, VimExchange x) {
        return new VimFault(503, "HostCommunication", "The vCenter Server is busy.", Outcome.THROTTLED, List.of());
    }

    @Override
    public Response answered(Response response, VimExchange x) {
        return x.setCookie == null ? response
                : response.withHeader("Set-Cookie", COOKIE + "=" + x.setCookie + "; Path=/; HttpOnly; Secure");
    }

    @Override
    public Response render(ApiError error, VimExchange x) {
        VimFault f = error instanceof VimFault v ? v
                : new VimFault(500, "SystemError", error.getMessage(), error.outcome(), List.of());
        StringBuilder b = new StringBuilder(ENVELOPE);
        b.append("<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>")
                .append(Node.escape(f.getMessage())).append("</faultstring><detail>");
        Node detail = f.asNode(f.faultType + "Fault");
        detail.attrs.put("xmlns", "urn:vim25");
        detail.write(b);
        b.append("</detail></soapenv:Fault>").append(END);
        return new Response(f.status(), TYPE, b.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static Response respond(VimExchange x, String method, List<Node> values) {
        StringBuilder b = new StringBuilder(ENVELOPE);
        b.append('<').append(method).append("Response xmlns=\"urn:vim25\">");
        for (Node v : values) {
            v.name = "returnval";
            v.write(b);
        }
        b.append("</").append(method).append("Response>").append(END);
        return new Response(200, TYPE, b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code /sdk/vimServiceVersions.xml}: pyvmomi negotiates its version from it. */
    static Response serviceVersions() {
        return Response.of(200, "text/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<namespaces version=\"1.0\">"
                + "<namespace><name>urn:vim25</name><version>" + VimObjects.API_VERSION + "</version><priorVersions>"
                + "<version>7.0</version><version>6.7.3</version><version>6.7.2</version><version>6.7.1</version>"
                + "<version>6.7</version><version>6.5</version><version>6.0</version><version>5.5</version>"
                + "</priorVersions></namespace></namespaces>\n");
    }
}
