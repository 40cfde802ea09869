package dev.kiln.emulators.vsphere;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * A bare vim25 client for tests: posts a method element in govmomi's envelope dialect to /sdk,
 * keeps the session cookie, and reads the answer with the emulator's own XML reader.
 */
final class Soap {

    record Answer(int status, String body) {
        /** The body element's first child: the method's response, or the fault. */
        Node response() {
            return Node.parse(body.getBytes(StandardCharsets.UTF_8)).child("Body").children.get(0);
        }

        List<Node> returnvals() {
            return response().all("returnval");
        }

        /** The fault's type, from its detail; null when the call succeeded. */
        String fault() {
            Node r = response();
            return r.name.equals("Fault") ? r.child("detail").children.get(0).type : null;
        }
    }

    private final URI endpoint;
    private final HttpClient http;
    private String cookie;

    Soap(VcenterEmulator vcenter) {
        this(vcenter.endpoint(), vcenter.clientTls());
    }

    Soap(URI endpoint, SSLContext tls) {
        this.endpoint = endpoint;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls).build();
    }

    /** Logs in as the emulator's default user. */
    Soap login() {
        Answer a = call("<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this><userName>"
                + VcenterEmulator.DEFAULT_USER + "</userName><password>" + VcenterEmulator.DEFAULT_PASSWORD
                + "</password><locale>en_US</locale></Login>");
        if (a.status() != 200) {
            throw new AssertionError("login answered " + a);
        }
        return this;
    }

    String cookie() {
        return cookie;
    }

    Answer call(String method) {
        String envelope = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Envelope"
                + " xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\"><Body>" + method + "</Body></Envelope>";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint + "/sdk"))
                .header("Content-Type", "text/xml; charset=\"utf-8\"").header("SOAPAction", "urn:vim25/7.0")
                .POST(HttpRequest.BodyPublishers.ofString(envelope));
        if (cookie != null) {
            b.header("Cookie", VimProtocol.COOKIE + "=" + cookie);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            r.headers().firstValue("set-cookie").ifPresent(c -> cookie = VimProtocol.cookie(c));
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code <name type="Type">value</name>}. */
    static String ref(String name, MoRef ref) {
        return "<" + name + " type=\"" + ref.type() + "\">" + ref.value() + "</" + name + ">";
    }
}
