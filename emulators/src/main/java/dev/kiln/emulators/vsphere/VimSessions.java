package dev.kiln.emulators.vsphere;

import dev.kiln.emulators.vsphere.VimProtocol.VimExchange;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The vim25 session methods: {@code RetrieveServiceContent} (no session needed), {@code Login}
 * (a session shared with the REST API's, counted against the same limit, handed out as the
 * {@code vmware_soap_session} cookie), {@code Logout} and {@code SessionIsActive}.
 */
final class VimSessions {

    /** The API version the emulator says it speaks: vCenter 7.0 U3. */
    static final String API_VERSION = "7.0.3.0";

    private final VcenterConfig config;
    private final Sessions sessions;
    private final Inventory inv;

    VimSessions(VcenterConfig config, Sessions sessions, Inventory inv) {
        this.config = config;
        this.sessions = sessions;
        this.inv = inv;
    }

    Node serviceContent() {
        Node c = Node.object("returnval", "ServiceContent");
        c.addRef("rootFolder", new MoRef("Folder", inv.rootFolderId));
        c.addRef("propertyCollector", new MoRef("PropertyCollector", "propertyCollector"));
        c.addRef("viewManager", new MoRef("ViewManager", "ViewManager"));
        c.add(new Node("about").add("name", "VMware vCenter Server")
                .add("fullName", "VMware vCenter Server 7.0.3 build-20150588 (Kiln emulator)")
                .add("vendor", "VMware, Inc.").add("version", "7.0.3").add("build", "20150588")
                .add("localeVersion", "INTL").add("localeBuild", "000").add("osType", "linux-x64")
                .add("productLineId", "vpx").add("apiType", "VirtualCenter").add("apiVersion", API_VERSION)
                .add("instanceUuid", UUID.nameUUIDFromBytes(config.name().getBytes(StandardCharsets.UTF_8))).add("licenseProductName", "VMware VirtualCenter Server")
                .add("licenseProductVersion", "7.0"));
        for (Map.Entry<String, String> e : Map.of("setting", "OptionManager", "userDirectory", "UserDirectory",
                "sessionManager", "SessionManager", "authorizationManager", "AuthorizationManager",
                "perfManager", "PerformanceManager", "eventManager", "EventManager", "taskManager", "TaskManager",
                "extensionManager", "ExtensionManager", "customFieldsManager", "CustomFieldsManager",
                "licenseManager", "LicenseManager").entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            c.addRef(e.getKey(), new MoRef(e.getValue(), VimObjects.SINGLETONS.get(e.getValue())));
        }
        c.addRef("searchIndex", new MoRef("SearchIndex", "SearchIndex"));
        c.addRef("fileManager", new MoRef("FileManager", "FileManager"));
        c.addRef("virtualDiskManager", new MoRef("VirtualDiskManager", "virtualDiskManager"));
        c.addRef("ovfManager", new MoRef("OvfManager", "OvfManager"));
        return c;
    }

    List<Node> login(VimExchange x) {
        String user = x.text("userName");
        String password = x.text("password");
        String expected = user == null ? null : config.users().get(user);
        if (expected == null || !expected.equals(password)) {
            throw new VimFault("InvalidLogin", "Cannot complete login due to an incorrect user name or password.");
        }
        String token;
        try {
            token = sessions.create(user);
        } catch (VapiError e) {
            throw new VimFault(503, "SystemError", e.getMessage(), e.outcome(), List.of(Node.text("reason", null,
                    "session limit")));
        }
        x.setCookie = token;
        x.session = token;
        String locale = x.text("locale") == null ? "en" : x.text("locale");
        Node s = Node.object("returnval", "UserSession");
        s.add("key", token).add("userName", user).add("fullName", user).add("loginTime", inv.time.now())
                .add("lastActiveTime", inv.time.now()).add("locale", locale).add("messageLocale", locale)
                .add("extensionSession", false).add("ipAddress", x.request().remote() == null ? "127.0.0.1"
                        : x.request().remote().getAddress().getHostAddress())
                .add("userAgent", x.request().header("user-agent") == null ? "" : x.request().header("user-agent"))
                .add("callCount", 0);
        return List.of(s.untyped());
    }

    List<Node> logout(VimExchange x) {
        sessions.delete(x.session);
        return List.of();
    }

    List<Node> isActive(VimExchange x) {
        String id = x.text("sessionID");
        return List.of(Node.text("returnval", null, id != null && sessions.touch(id) != null));
    }
}
