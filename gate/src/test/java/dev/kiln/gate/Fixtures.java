package dev.kiln.gate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Authenticator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Real parts the gate's tests talk to: JDK HTTP servers, TLS material, JDK HTTP clients. */
final class Fixtures {

    private Fixtures() {
    }

    /** One request an upstream received. */
    record Seen(String method, String host, String uri, String body, int remotePort, String headers) {
    }

    /**
     * A JDK HttpServer on 127.0.0.1 standing in for a provider API (an emulator in Kiln's tests):
     * {@code /echo} answers what it was sent; {@code /chunked} streams its answer; {@code /status/N}
     * answers N; everything it receives is recorded.
     */
    static final class Upstream implements AutoCloseable {
        final HttpServer server;
        final List<Seen> seen = new CopyOnWriteArrayList<>();
        private final ExecutorService executor = Executors.newFixedThreadPool(4);

        Upstream() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(executor);
            server.createContext("/", this::handle);
            server.start();
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                String host = exchange.getRequestHeaders().getFirst("Host");
                seen.add(new Seen(exchange.getRequestMethod(), host, exchange.getRequestURI().toString(), body,
                        exchange.getRemoteAddress().getPort(), new java.util.TreeMap<>(exchange.getRequestHeaders()).toString()));
                String path = exchange.getRequestURI().getPath();
                if (path.startsWith("/status/")) {
                    int status = Integer.parseInt(path.substring("/status/".length()));
                    byte[] answer = ("status " + status).getBytes(StandardCharsets.UTF_8);
                    if (status == 204 || status == 304) {
                        exchange.sendResponseHeaders(status, -1);
                    } else {
                        exchange.sendResponseHeaders(status, answer.length);
                        exchange.getResponseBody().write(answer);
                    }
                    return;
                }
                byte[] answer = (exchange.getRequestMethod() + " " + host + " " + exchange.getRequestURI() + " "
                        + body).getBytes(StandardCharsets.UTF_8);
                if (exchange.getRequestMethod().equals("HEAD")) {
                    exchange.getResponseHeaders().set("X-Answer-Length", String.valueOf(answer.length));
                    exchange.sendResponseHeaders(200, -1);
                } else if (path.startsWith("/chunked")) {
                    exchange.sendResponseHeaders(200, 0);
                    OutputStream out = exchange.getResponseBody();
                    for (int i = 0; i < answer.length; i += 7) {
                        out.write(answer, i, Math.min(7, answer.length - i));
                        out.flush();
                    }
                } else {
                    exchange.sendResponseHeaders(200, answer.length);
                    exchange.getResponseBody().write(answer);
                }
            }
        }

        java.net.URI uri() {
            return java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    /**
     * A raw upstream that answers each connection's first request with a body delimited by closing
     * the connection, which the JDK's HttpServer never does.
     */
    static final class UntilCloseUpstream implements AutoCloseable {
        final ServerSocket server;
        private final Thread thread;

        UntilCloseUpstream(String answer) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        InputStream in = s.getInputStream();
                        int state = 0;
                        while (state < 4) {
                            int b = in.read();
                            if (b < 0) {
                                break;
                            }
                            state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : 0;
                        }
                        s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + answer)
                                .getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "until-close-upstream");
            thread.setDaemon(true);
            thread.start();
        }

        java.net.URI uri() {
            return java.net.URI.create("http://127.0.0.1:" + server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /**
     * A raw HTTP/1.1 upstream that treats each request as its script says, by the connection it came
     * on (1 for the first accepted) and its place there (1 for the first), and records every request
     * it read whole: what the gate sent upstream, and how often. Bodies come by {@code Content-Length}.
     */
    static final class ScriptedUpstream implements AutoCloseable {

        /** What the upstream does with one request, once it has read it whole. */
        enum Move {
            /** Answers 200 with the request's method, target and body, and keeps the connection. */
            ANSWER,
            /**
             * Answers, then closes its side (FIN) as a server closing an idle connection does. It
             * goes on reading, to witness a request the gate would still write there.
             */
            ANSWER_THEN_CLOSE_IDLE,
            /** Resets the connection without a byte of answer: the request arrived, its answer is lost. */
            RESET,
            /** Never answers; waits for the gate to close the connection. */
            SILENCE
        }

        /** One request read whole. */
        record Request(int connection, String method, String target, String body) {
        }

        final List<Request> seen = new CopyOnWriteArrayList<>();
        /** A permit for each request read whole. */
        final java.util.concurrent.Semaphore received = new java.util.concurrent.Semaphore(0);
        /** A permit for each connection closed by {@link Move#ANSWER_THEN_CLOSE_IDLE}, once its FIN is sent. */
        final java.util.concurrent.Semaphore closedIdle = new java.util.concurrent.Semaphore(0);
        private final ServerSocket server;
        private final java.util.function.BiFunction<Integer, Integer, Move> script;
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final ExecutorService executor = Executors.newCachedThreadPool();

        ScriptedUpstream(java.util.function.BiFunction<Integer, Integer, Move> script) throws IOException {
            this.script = script;
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            executor.execute(() -> {
                for (int connection = 1; !server.isClosed(); connection++) {
                    try {
                        Socket socket = server.accept();
                        accepted.add(socket);
                        int index = connection;
                        executor.execute(() -> serve(socket, index));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private void serve(Socket socket, int connection) {
            try (socket) {
                InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                for (int place = 1; ; place++) {
                    Request request = read(in, connection);
                    if (request == null) {
                        return;
                    }
                    seen.add(request);
                    received.release();
                    switch (script.apply(connection, place)) {
                        case ANSWER -> answer(out, request);
                        case ANSWER_THEN_CLOSE_IDLE -> {
                            answer(out, request);
                            socket.shutdownOutput();
                            closedIdle.release();
                        }
                        case RESET -> {
                            socket.setSoLinger(true, 0);
                            return;
                        }
                        case SILENCE -> {
                            while (in.read() >= 0) {
                                // until the gate closes the connection
                            }
                            return;
                        }
                    }
                }
            } catch (IOException e) {
                // the gate closed the connection, or the test closed the upstream
            }
        }

        private static Request read(InputStream in, int connection) throws IOException {
            String head = GateAuthenticationTest.readHead(in);
            if (!head.endsWith("\r\n\r\n")) {
                return null;
            }
            String[] lines = head.split("\r\n");
            String[] start = lines[0].split(" ");
            int length = 0;
            for (String line : lines) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring("content-length:".length()).trim());
                }
            }
            byte[] body = in.readNBytes(length);
            return body.length < length ? null
                    : new Request(connection, start[0], start[1], new String(body, StandardCharsets.UTF_8));
        }

        private static void answer(OutputStream out, Request request) throws IOException {
            byte[] body = (request.method() + " " + request.target() + " " + request.body())
                    .getBytes(StandardCharsets.UTF_8);
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        }

        java.net.URI uri() {
            return java.net.URI.create("http://127.0.0.1:" + server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : accepted) {
                socket.close();
            }
            executor.shutdownNow();
        }
    }

    /**
     * Packer's side of one connection to the gate, written and read byte by byte: a {@code CONNECT}
     * to an intercepted host, TLS with the gate's leaf, then requests in turn.
     */
    static final class PackerConnection implements AutoCloseable {

        /** One answer: its status line and fields as sent, and its body. */
        record Answer(int status, String head, String body) {
        }

        private final javax.net.ssl.SSLSocket tls;
        private final InputStream in;
        private final OutputStream out;

        private PackerConnection(javax.net.ssl.SSLSocket tls) throws IOException {
            this.tls = tls;
            this.in = tls.getInputStream();
            this.out = tls.getOutputStream();
        }

        static PackerConnection open(Gate gate, GateClient client, String host) throws Exception {
            Socket socket = new Socket(gate.address().getAddress(), gate.address().getPort());
            socket.getOutputStream().write(("CONNECT " + host + ":443 HTTP/1.1\r\nHost: " + host + ":443\r\n"
                    + "Proxy-Authorization: Basic " + java.util.Base64.getEncoder().encodeToString(
                    (client.token() + ":").getBytes(StandardCharsets.ISO_8859_1)) + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String established = GateAuthenticationTest.readHead(socket.getInputStream());
            if (!established.startsWith("HTTP/1.1 200 ")) {
                socket.close();
                throw new IOException("the gate refused CONNECT: " + established);
            }
            javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) trusting(gate.caCertificate()).getSocketFactory()
                    .createSocket(socket, host, 443, true);
            tls.startHandshake();
            return new PackerConnection(tls);
        }

        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** The head of the next answer, as sent. */
        String readHead() throws IOException {
            return GateAuthenticationTest.readHead(in);
        }

        /** The next answer; its body by {@code Content-Length} or chunks, none for a HEAD. */
        Answer read(boolean head) throws IOException {
            String response = readHead();
            int status = Integer.parseInt(response.substring(9, 12));
            if (head) {
                return new Answer(status, response, "");
            }
            List<String> lines = response.lines().map(l -> l.toLowerCase(java.util.Locale.ROOT)).toList();
            if (lines.contains("transfer-encoding: chunked")) {
                java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
                while (true) {
                    int size = Integer.parseInt(line(), 16);
                    if (size == 0) {
                        line();
                        return new Answer(status, response, body.toString(StandardCharsets.UTF_8));
                    }
                    body.write(in.readNBytes(size));
                    line();
                }
            }
            int length = lines.stream().filter(l -> l.startsWith("content-length: ")).findFirst()
                    .map(l -> Integer.parseInt(l.substring(16).trim())).orElseThrow();
            return new Answer(status, response, new String(in.readNBytes(length), StandardCharsets.UTF_8));
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != '\n') {
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        @Override
        public void close() throws IOException {
            tls.close();
        }
    }

    /**
     * The user's own HTTP proxy: answers CONNECT for the hosts it knows (there is no DNS here) by
     * tunnelling to their local port, refuses the rest with {@code refusal}, and records what it was asked.
     */
    static final class ConnectProxy implements AutoCloseable {
        final ServerSocket server;
        final List<String> requests = new CopyOnWriteArrayList<>();
        private final ExecutorService executor = Executors.newCachedThreadPool();

        ConnectProxy(java.util.Map<String, Integer> ports, String refusal) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            executor.execute(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket client = server.accept();
                        executor.execute(() -> serve(client, ports, refusal));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private void serve(Socket client, java.util.Map<String, Integer> ports, String refusal) {
            try (client) {
                String head = GateAuthenticationTest.readHead(client.getInputStream());
                requests.add(head);
                String authority = head.split(" ")[1];
                Integer port = ports.get(authority.substring(0, authority.lastIndexOf(':')));
                if (port == null) {
                    client.getOutputStream().write((refusal + "\r\nContent-Length: 0\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    return;
                }
                try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    client.getOutputStream().write("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    executor.execute(() -> {
                        try {
                            upstream.getInputStream().transferTo(client.getOutputStream());
                        } catch (IOException ignored) {
                            // the other direction ends the tunnel
                        }
                    });
                    client.getInputStream().transferTo(upstream.getOutputStream());
                }
            } catch (IOException ignored) {
                // a test proxy: the test sees the outcome at the client
            }
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            executor.shutdownNow();
        }
    }

    /** A certificate signed by its own key, for a server the gate must not intercept. */
    record SelfSigned(KeyPair keys, X509Certificate certificate) {

        static SelfSigned of(String... dnsNames) throws Exception {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            X500Name name = new X500Name("CN=" + dnsNames[0]);
            GeneralName[] names = new GeneralName[dnsNames.length + 1];
            for (int i = 0; i < dnsNames.length; i++) {
                names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
            }
            names[dnsNames.length] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
            // Fixed, wide validity: the test needs no clock.
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                    name, BigInteger.valueOf(dnsNames[0].hashCode() & 0x7fffffff).add(BigInteger.ONE),
                    Date.from(Instant.parse("2020-01-01T00:00:00Z")), Date.from(Instant.parse("2099-01-01T00:00:00Z")),
                    name, keys.getPublic())
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names))
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            return new SelfSigned(keys, cert);
        }

        SSLContext serverContext() throws GeneralSecurityException, IOException {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", keys.getPrivate(), new char[0], new X509Certificate[] {certificate});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        }
    }

    /** A client-side TLS context trusting {@code certificates} and nothing else. */
    static SSLContext trusting(X509Certificate... certificates) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < certificates.length; i++) {
            store.setCertificateEntry("ca" + i, certificates[i]);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** The JDK's HTTP client using the gate as its proxy, as packer does, with {@code client}'s token. */
    static HttpClient client(Gate gate, GateClient client, SSLContext tls, HttpClient.Version version) {
        return HttpClient.newBuilder()
                .proxy(ProxySelector.of(gate.address()))
                .authenticator(tokenOf(client))
                .sslContext(tls)
                .version(version)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    static Authenticator tokenOf(GateClient client) {
        return new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return getRequestorType() == RequestorType.PROXY
                        ? new PasswordAuthentication(client.token(), new char[0]) : null;
            }
        };
    }
}
