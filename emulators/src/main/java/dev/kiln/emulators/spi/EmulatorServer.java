package dev.kiln.emulators.spi;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.kiln.emulators.Emulator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDK HTTP server an emulator answers on, bound to a loopback address, with the shared admin
 * API under {@value #ADMIN_PREFIX} (answered only to loopback clients). The server owns its
 * threads and stops them on {@link #close()}. It speaks plain HTTP unless given a TLS context
 * (an emulator's HTTPS listener, or a vCenter that is HTTPS-only).
 */
public final class EmulatorServer implements AutoCloseable {

    /** Path prefix of the admin API every emulator serves. */
    public static final String ADMIN_PREFIX = "/_kiln/";

    private static final Logger LOG = LoggerFactory.getLogger(EmulatorServer.class);
    /** Threads answering requests unless an emulator asks for more (one whose calls block, such as a vCenter clone). */
    public static final int DEFAULT_THREADS = 8;

    static {
        // The JDK server sends headers and body as two segments; with Nagle on, the body waits for the
        // client's delayed ACK (~40 ms a call). The switch is JVM-wide and read once, so it is set
        // here, before the first server, unless someone chose otherwise.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /**
     * Thrown by a handler to answer nothing: the server closes the connection without a status
     * line, as a proxy or load balancer that drops connections does (an injected
     * {@link dev.kiln.emulators.Faults.Effect#RESET}). Clients see the connection end before a response.
     */
    public static final class ConnectionReset extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ConnectionReset() {
            super("connection reset by fault injection", null, false, false);
        }
    }

    /** Answers one request of the provider's own protocol. */
    @FunctionalInterface
    public interface Handler {
        Response handle(Request request) throws Exception;
    }

    /**
     * One request as read off the wire.
     *
     * @param headers header values by lower-cased name
     * @param scheme  {@code http} or {@code https}: how the client reached the emulator
     */
    public record Request(String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body,
            InetSocketAddress remote, String scheme) {

        /**
         * Where the client reached the emulator, {@code scheme://host[:port]} from its {@code Host}
         * header: what links in answers (long-running operations, discovery documents) must name
         * to lead the client back here over the same listener.
         */
        public String base() {
            String host = header("Host");
            return scheme + "://" + (host == null || host.isBlank() ? "127.0.0.1" : host);
        }

        /** First value of header {@code name} (any case), or null. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * One answer. {@code body} may be empty; {@code headers} are extra response headers (ARM's
     * {@code Retry-After}, {@code Azure-AsyncOperation}, rate-limit counters), in order.
     */
    public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {

        public Response {
            headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(
                    new java.util.LinkedHashMap<>(headers));
        }

        /** An answer without extra headers. */
        public Response(int status, String contentType, byte[] body) {
            this(status, contentType, body, Map.of());
        }

        public static Response of(int status, String contentType, String body) {
            return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8));
        }

        /** A copy with header {@code name} set to {@code value} (replacing an earlier value). */
        public Response withHeader(String name, String value) {
            Map<String, String> copy = new java.util.LinkedHashMap<>(headers);
            copy.put(name, value);
            return new Response(status, contentType, body, copy);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final URI endpoint;

    private EmulatorServer(HttpServer server, ExecutorService executor, URI endpoint) {
        this.server = server;
        this.executor = executor;
        this.endpoint = endpoint;
    }

    /**
     * Binds {@code host:port} (port 0 picks a free one) and starts answering: {@value #ADMIN_PREFIX}
     * through the shared admin API of {@code emulator}, everything else through {@code handler}.
     *
     * @throws IllegalArgumentException when {@code host} is not a loopback address
     * @throws IOException when the address cannot be bound
     */
    public static EmulatorServer start(String name, String host, int port, Handler handler, Emulator emulator)
            throws IOException {
        return start(name, host, port, handler, emulator, DEFAULT_THREADS, null);
    }

    /**
     * As {@link #start(String, String, int, Handler, Emulator)}, answering on {@code threadCount}
     * threads, and over HTTPS with {@code tls} when it is not null.
     */
    public static EmulatorServer start(String name, String host, int port, Handler handler, Emulator emulator,
            int threadCount, SSLContext tls) throws IOException {
        if (threadCount < 1) {
            throw new IllegalArgumentException("an emulator needs at least one thread, got " + threadCount);
        }
        InetAddress address = InetAddress.getByName(host);
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("emulators bind loopback addresses only, got " + host);
        }
        HttpServer server;
        if (tls == null) {
            server = HttpServer.create(new InetSocketAddress(address, port), 64);
        } else {
            HttpsServer https = HttpsServer.create(new InetSocketAddress(address, port), 64);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        ExecutorService executor = Executors.newFixedThreadPool(threadCount, threads("kiln-" + name + "-emulator"));
        AdminEndpoint admin = new AdminEndpoint(emulator);
        server.createContext("/", exchange -> serve(exchange, handler, admin));
        server.setExecutor(executor);
        server.start();
        InetSocketAddress bound = server.getAddress();
        String hostText = bound.getAddress().getHostAddress();
        if (hostText.contains(":")) {
            hostText = "[" + hostText + "]";
        }
        String scheme = tls == null ? "http" : "https";
        return new EmulatorServer(server, executor, URI.create(scheme + "://" + hostText + ":" + bound.getPort()));
    }

    /**
     * Whether a client at {@code client} may use the admin API: only the loopback interface, so a
     * server that someone bound more widely still does not take orders from the network.
     */
    public static boolean isAdminAllowed(InetAddress client) {
        return client != null && client.isLoopbackAddress();
    }

    public URI endpoint() {
        return endpoint;
    }

    /** The port bound at start; still known after {@link #close()}, so a restart can bind it again. */
    public int port() {
        return endpoint.getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static void serve(HttpExchange exchange, Handler handler, AdminEndpoint admin) throws IOException {
        try (exchange) {
            Request request = read(exchange);
            Response response;
            try {
                if (request.path().startsWith(ADMIN_PREFIX)) {
                    response = isAdminAllowed(request.remote() == null ? null : request.remote().getAddress())
                            ? admin.handle(request)
                            : AdminEndpoint.refused();
                } else {
                    response = handler.handle(request);
                }
            } catch (ConnectionReset e) {
                // No response headers were sent: closing the exchange closes the connection.
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                response = Response.of(503, "text/plain", "emulator is stopping");
            } catch (Exception | Error e) {
                LOG.error("emulator failed answering {} {}", request.method(), request.path(), e);
                response = Response.of(500, "text/plain", "emulator failure: " + e);
            }
            write(exchange, response);
        }
    }

    private static Request read(HttpExchange exchange) throws IOException {
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        URI uri = exchange.getRequestURI();
        // A request target that starts with "//" (a client joining "https://host/" and "/path") parses as
        // an authority and a path; the servers emulated take it as a path with an empty first segment.
        String path = uri.getScheme() == null && uri.getRawAuthority() != null
                ? "//" + uri.getAuthority() + uri.getPath() : uri.getPath();
        return new Request(exchange.getRequestMethod(), path, uri.getRawQuery(), headers, body,
                exchange.getRemoteAddress(), exchange instanceof HttpsExchange ? "https" : "http");
    }

    private static void write(HttpExchange exchange, Response response) throws IOException {
        if (response.contentType() != null) {
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
        }
        response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        byte[] body = response.body();
        boolean noBody = body.length == 0 || "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(response.status(), noBody ? -1 : body.length);
        if (noBody) {
            return;
        }
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
