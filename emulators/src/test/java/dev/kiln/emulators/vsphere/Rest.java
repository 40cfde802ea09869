package dev.kiln.emulators.vsphere;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A bare vSphere REST client for tests: what went over the wire, status and JSON, nothing hidden. */
final class Rest {

    static final ObjectMapper JSON = new ObjectMapper();

    record Answer(int status, JsonNode body) {
        String errorType() {
            return body.path("error_type").asText(null);
        }
    }

    private final URI endpoint;
    private final HttpClient http;
    private String session;

    /** A client of {@code vcenter} that trusts the certificate it made. */
    Rest(VcenterEmulator vcenter) {
        this(vcenter.endpoint(), vcenter.clientTls());
    }

    Rest(URI endpoint, SSLContext tls) {
        this.endpoint = endpoint;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls).build();
    }

    /** A TLS context that accepts any certificate, for a vCenter whose certificate the test never saw. */
    static SSLContext trustingAnything() {
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new X509ExtendedTrustManager() {
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
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Logs in with the emulator's default user through /api. */
    Rest login() {
        Answer a = send("POST", "/api/session", null, basic(VcenterEmulator.DEFAULT_USER,
                VcenterEmulator.DEFAULT_PASSWORD));
        if (a.status() != 201) {
            throw new AssertionError("login answered " + a);
        }
        session = a.body().asText();
        return this;
    }

    /** Logs in through the legacy /rest session endpoint. */
    Rest loginLegacy() {
        Answer a = send("POST", "/rest/com/vmware/cis/session", null, basic(VcenterEmulator.DEFAULT_USER,
                VcenterEmulator.DEFAULT_PASSWORD));
        if (a.status() != 200) {
            throw new AssertionError("legacy login answered " + a);
        }
        session = a.body().path("value").asText();
        return this;
    }

    String session() {
        return session;
    }

    Rest withSession(String token) {
        this.session = token;
        return this;
    }

    Answer get(String path) {
        return send("GET", path, null, null);
    }

    Answer post(String path, String json) {
        return send("POST", path, json, null);
    }

    Answer delete(String path) {
        return send("DELETE", path, null, null);
    }

    Answer send(String method, String path, String json, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint + path));
        if (session != null) {
            b.header("vmware-api-session-id", session);
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body().isEmpty() ? NullNode.getInstance() : parse(r.body());
            return new Answer(r.statusCode(), body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(text);
        }
    }

    /** The id of the first object a list answered, e.g. {@code id(get("/api/vcenter/host?names=esx-01"), "host")}. */
    static String id(Answer list, String field) {
        if (list.status() != 200 || !list.body().isArray() || list.body().isEmpty()) {
            throw new AssertionError("expected a non-empty list, got " + list);
        }
        return list.body().get(0).path(field).asText();
    }
}
