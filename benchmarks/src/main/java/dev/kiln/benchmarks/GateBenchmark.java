package dev.kiln.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.gate.Gate;
import dev.kiln.gate.GateClient;
import dev.kiln.gate.Interception;
import dev.kiln.gate.Router;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What the gate costs a call (issue 17): the same small API call (an EC2-sized answer) made
 * directly to a loopback server and through the gate, which terminates TLS for the API host and
 * routes it to that server, as it does for packer in tests and the demo. Reports the latency the
 * gate adds (median and p99 of each path, one connection each, calls in sequence, the two paths
 * taking turns so both see the same load on a shared machine) and the calls per second it
 * sustains with several clients at once.
 *
 * <pre>{@code bin/bench gate [calls] [clients]}</pre>
 *
 * <p>The client is the JDK's HTTP/1.1 client over keep-alive connections, as Go's clients in
 * packer keep theirs; its own cost is in both paths, so the difference is the gate's. It is used
 * the way packer's Go clients behave, which also keeps it clear of two bugs of JDK 17's client
 * that close a connection under a call in flight ({@code HTTP/1.1 header parser received no bytes},
 * caused by {@code connection closed locally}), on either path:
 * <ul>
 *   <li>The proxy token goes with every {@code CONNECT} unasked, as Go sends it. Left to an
 *       {@code Authenticator}, the client's first call gets a 407 and is repeated with the token,
 *       and the first attempt's request timer is never cancelled (JDK-8304701, fixed in JDK 22):
 *       when it fires, 30 s later, it closes whatever call then runs on that connection.</li>
 *   <li>Each concurrent client has its own {@code HttpClient}, as each packer build is a process
 *       with its own transport. A pool shared by several threads can hand a connection to one
 *       before another has finished returning it, and the pool's idle watcher then takes the next
 *       answer for a stray byte and closes the connection (JDK-8338569, fixed in JDK 24).</li>
 * </ul>
 */
public final class GateBenchmark {

    private static final String HOST = "ec2.us-east-1.amazonaws.com";
    private static final byte[] ANSWER = ("<DescribeImagesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
            + "<requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId><imagesSet><item><imageId>ami-1234567890"
            + "</imageId><imageState>available</imageState></item></imagesSet></DescribeImagesResponse>")
            .getBytes(StandardCharsets.UTF_8);
    private static final String FORM = "Action=DescribeImages&Version=2016-11-15&Owner.1=self&Filter.1.Name=name"
            + "&Filter.1.Value.1=kiln-base-dev-20261207";

    private GateBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        // Basic proxy credentials on CONNECT, as Go sends them; the JDK drops them by default.
        System.setProperty("jdk.http.auth.tunneling.disabledSchemes", "");
        // The JDK server otherwise waits for a delayed ACK between an answer's head and body.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.setExecutor(Executors.newFixedThreadPool(clients + 2));
        upstream.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "text/xml;charset=UTF-8");
            exchange.sendResponseHeaders(200, ANSWER.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(ANSWER);
            }
        });
        upstream.start();
        URI server = URI.create("http://127.0.0.1:" + upstream.getAddress().getPort());
        Path bundleDir = Files.createTempDirectory("kiln-gate-bench");
        try (Gate gate = Gate.builder().intercept(Interception.hosts("ec2.*.amazonaws.com"))
                .router(Router.to(Map.of(HOST, server))).bundleDirectory(bundleDir).threads(clients * 4 + 8).start()) {
            SSLContext trusting = trusting(gate);
            String token = proxyAuthorization(gate.newClient("bench"));
            Caller direct = new Caller(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                    server.resolve("/"), null);
            Supplier<Caller> gatedCaller = () -> new Caller(HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1).proxy(ProxySelector.of(gate.address()))
                    .sslContext(trusting).build(), URI.create("https://" + HOST + "/"), token);
            Caller gated = gatedCaller.get();

            double loadBefore = loadAverage();
            int warmup = Math.min(calls, 5_000);
            inTurns(direct, gated, warmup);
            long[][] measured = inTurns(direct, gated, calls);
            long[] plain = measured[0];
            long[] through = measured[1];
            double plainMedian = percentile(plain, 50);
            double throughMedian = percentile(through, 50);
            double plainP99 = percentile(plain, 99);
            double throughP99 = percentile(through, 99);
            System.out.printf(Locale.ROOT, "one client, %d calls in sequence: direct median %.3f ms p99 %.3f ms;"
                    + " through the gate median %.3f ms p99 %.3f ms; added median %.3f ms, p99 %.3f ms%n", calls,
                    plainMedian, plainP99, throughMedian, throughP99, throughMedian - plainMedian,
                    throughP99 - plainP99);

            double directRate = rate(() -> new Caller(HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1).build(), direct.uri(), null), calls, clients);
            double gatedRate = rate(gatedCaller, calls, clients);
            System.out.printf(Locale.ROOT, "%d clients at once, %d calls: direct %.0f calls/s, through the gate"
                    + " %.0f calls/s%n", clients, calls, directRate, gatedRate);
            System.out.printf(Locale.ROOT, "load average (1 min) %.1f before, %.1f after, on %d cores%n",
                    loadBefore, loadAverage(), Runtime.getRuntime().availableProcessors());
        } finally {
            upstream.stop(0);
            ((ExecutorService) upstream.getExecutor()).shutdownNow();
        }
    }

    /** One client (a packer build, say) calling one URI over its own keep-alive connection. */
    private record Caller(HttpClient client, URI uri, String proxyAuthorization) {

        void call() throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(FORM));
            if (proxyAuthorization != null) {
                // The JDK sends it on the CONNECT and leaves it out of the tunnelled request.
                request.header("Proxy-Authorization", proxyAuthorization);
            }
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                throw new IOException("calling " + uri + " failed: " + e.getMessage(), e);
            }
            if (response.statusCode() != 200 || response.body().length != ANSWER.length) {
                throw new IllegalStateException("unexpected answer " + response.statusCode() + " from " + uri);
            }
        }

        long timedCall() throws IOException, InterruptedException {
            long start = System.nanoTime();
            call();
            return System.nanoTime() - start;
        }
    }

    /**
     * Latencies of {@code calls} calls on each path, the paths taking turns (and alternating which
     * goes first), so that a load that comes and goes on a shared machine weighs on both alike.
     */
    private static long[][] inTurns(Caller a, Caller b, int calls) throws IOException, InterruptedException {
        long[][] nanos = new long[2][calls];
        for (int i = 0; i < calls; i++) {
            if (i % 2 == 0) {
                nanos[0][i] = a.timedCall();
                nanos[1][i] = b.timedCall();
            } else {
                nanos[1][i] = b.timedCall();
                nanos[0][i] = a.timedCall();
            }
        }
        return nanos;
    }

    private static double rate(Supplier<Caller> callers, int calls, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicLong left = new AtomicLong(calls);
        CountDownLatch connected = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                workers.add(pool.submit(() -> {
                    Caller caller = callers.get();
                    try {
                        // Its connection (through the gate: CONNECT and TLS handshake) before the clock starts.
                        caller.call();
                    } finally {
                        connected.countDown();
                    }
                    go.await();
                    while (left.getAndDecrement() > 0) {
                        caller.call();
                    }
                    return null;
                }));
            }
            connected.await();
            long start = System.nanoTime();
            go.countDown();
            for (Future<?> w : workers) {
                w.get();
            }
            return calls / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static double percentile(long[] nanos, double p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    /** {@code Basic base64(TOKEN:)}, what Go makes of the token in {@code HTTPS_PROXY}. */
    private static String proxyAuthorization(GateClient client) {
        return "Basic " + Base64.getEncoder().encodeToString((client.token() + ":")
                .getBytes(StandardCharsets.ISO_8859_1));
    }

    private static SSLContext trusting(Gate gate) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("kiln-gate", gate.caCertificate());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
