package dev.kiln.gate.internal;

import dev.kiln.gate.Gate;
import dev.kiln.gate.GateClient;
import dev.kiln.gate.GateEvent;
import dev.kiln.gate.GateException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/** The gate: a listening socket on 127.0.0.1, the threads it owns, its CA and its clients. */
public final class GateServer implements Gate {

    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    private final GateSettings settings;
    private final ServerSocket server;
    private final ThreadPoolExecutor pool;
    private final CertificateAuthority ca;
    private final Path bundle;
    private final Context context;
    private final Forwarder forwarder;
    private final Map<String, ClientState> clients = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private GateServer(GateSettings settings, ServerSocket server, ThreadPoolExecutor pool, CertificateAuthority ca,
                       Path bundle, SSLContext upstreamTls) {
        this.settings = settings;
        this.server = server;
        this.pool = pool;
        this.ca = ca;
        this.bundle = bundle;
        SocketRegistry sockets = new SocketRegistry();
        this.context = new Context(settings, settings.time(), settings.interception(), settings.meter(),
                new Routes(settings.router(), settings.upstreamProxy()),
                new Upstreams(upstreamTls.getSocketFactory(), settings.time(), sockets, settings.connectTimeout(),
                        settings.responseTimeout()),
                new LeafContexts(ca, settings.interception()), new Reporter(settings.listeners()), sockets, pool);
        this.forwarder = new Forwarder(context);
    }

    /** Checks {@code settings}, makes the CA, writes the bundle and starts listening. */
    public static GateServer start(GateSettings settings) {
        settings.check();
        SSLContext upstreamTls = settings.upstreamTls().orElseGet(GateServer::defaultTls);
        CertificateAuthority ca = CertificateAuthority.create(settings.time().now(), settings.caValidity());
        Path bundle = CaBundle.write(settings.requireBundleDirectory(), settings.systemRoots(), ca.pem());
        ServerSocket server;
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getByAddress(LOOPBACK), settings.port()), 512);
        } catch (IOException e) {
            deleteQuietly(bundle);
            throw new GateException("the gate cannot listen on 127.0.0.1:" + settings.port() + " (" + e.getMessage()
                    + "); give Gate.Builder.port a free port, or 0 for any", e);
        }
        AtomicInteger threadNumber = new AtomicInteger();
        int port = server.getLocalPort();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, settings.threads(), 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "kiln-gate-" + port + "-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        GateServer gate = new GateServer(settings, server, pool, ca, bundle, upstreamTls);
        pool.execute(gate::accept);
        return gate;
    }

    private void accept() {
        while (!closed && !Thread.currentThread().isInterrupted()) {
            Socket socket;
            try {
                socket = context.sockets().add(server.accept());
            } catch (IOException e) {
                if (!closed) {
                    context.reporter().quiet("accept", e);
                    pause();
                }
                continue;
            }
            try {
                pool.execute(new ClientHandler(context, socket, this::authenticate, forwarder));
            } catch (RejectedExecutionException e) {
                busy(socket);
            }
        }
    }

    /** After a failed accept (out of file descriptors, say), so the loop does not spin. */
    private void pause() {
        try {
            settings.time().sleep(java.time.Duration.ofMillis(100));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void busy(Socket socket) {
        String message = Messages.busy(settings.threads());
        context.reporter().publish(new GateEvent.ClientRefused(GateEvent.Refusal.BUSY, "", message));
        try {
            socket.setSoTimeout(1000);
            Replies.write(new BufferedOutputStream(socket.getOutputStream()), 503, "busy", message, false);
        } catch (IOException e) {
            context.reporter().quiet("busy reply", e);
        } finally {
            context.sockets().close(socket);
        }
    }

    /** The client whose token {@code proxyAuthorization} ({@code Basic base64(TOKEN:)}) carries, or null. */
    private ClientState authenticate(String proxyAuthorization) {
        if (proxyAuthorization == null || !proxyAuthorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(proxyAuthorization.substring(6).trim()),
                    StandardCharsets.ISO_8859_1);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return clients.get(colon < 0 ? decoded : decoded.substring(0, colon));
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    @Override
    public GateClient newClient(String name) {
        if (closed) {
            throw new GateException("the gate is closed: no client can be added for '" + name + "'");
        }
        GateClient client = GateClient.create(name);
        clients.put(client.token(), new ClientState(client, new Attempts()));
        return client;
    }

    @Override
    public void revoke(GateClient client) {
        clients.remove(client.token());
    }

    @Override
    public Map<String, String> env(GateClient client) {
        ClientState known = clients.get(client.token());
        if (known == null || !known.client().equals(client)) {
            throw new GateException("gate client '" + client.name() + "' was not handed out by this gate, or was"
                    + " revoked; ask Gate.newClient for one");
        }
        String proxy = "http://" + client.token() + "@127.0.0.1:" + server.getLocalPort();
        List<String> noProxy = new ArrayList<>(List.of("127.0.0.1", "localhost", "::1"));
        noProxy.addAll(settings.noProxy());
        String noProxyList = String.join(",", noProxy);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HTTPS_PROXY", proxy);
        env.put("HTTP_PROXY", proxy);
        env.put("NO_PROXY", noProxyList);
        env.put("SSL_CERT_FILE", bundle.toString());
        // aws-sdk-go trusts only AWS_CA_BUNDLE when it is set (CI images often set it to the system
        // roots): inherited from Kiln's environment, it would make amazon-ebs refuse the gate's leaves.
        env.put("AWS_CA_BUNDLE", bundle.toString());
        env.put("https_proxy", proxy);
        env.put("http_proxy", proxy);
        env.put("no_proxy", noProxyList);
        return java.util.Collections.unmodifiableMap(env);
    }

    @Override
    public X509Certificate caCertificate() {
        return ca.certificate();
    }

    @Override
    public Path caBundle() {
        return bundle;
    }

    /** How many hosts have a leaf certificate now; for tests that prove none was made. */
    public int leavesIssued() {
        return context.leaves().issued();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            context.reporter().quiet("close", e);
        }
        context.sockets().closeAll();
        context.upstreams().closeIdle();
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clients.clear();
        deleteQuietly(bundle);
    }

    @Override
    public String toString() {
        return "Gate[127.0.0.1:" + server.getLocalPort() + (closed ? ", closed" : "") + "]";
    }

    private static SSLContext defaultTls() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new GateException("the JDK offers no default TLS context: " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover bundle holds only public certificates
        }
    }
}
