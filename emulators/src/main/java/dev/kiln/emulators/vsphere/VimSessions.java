package dev.kiln.emulators.vsphere;

import dev.kiln.emulators.vsphere.VimProtocol.VimExchange;
import java.util.List;

/**
 * The vim25 session methods: {@code RetrieveServiceContent} (no session needed), {@code Login}
 * (a session shared with the REST API's, counted against the same limit, handed out as the
 * {@code vmware_soap_session} cookie), {@code Logout} and {@code SessionIsActive}.
 */
final class VimSessions {

    private final VcenterConfig config;
    private final Sessions sessions;
    private final Inventory inv;

    VimSessions(VcenterConfig config, Sessions sessions, Inventory inv) {
        this.config = config;
        this.sessions = sessions;
        this.inv = inv;
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
