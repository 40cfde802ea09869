package dev.kiln.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.gate.Gate;
import dev.kiln.gate.GateClient;
import dev.kiln.gate.Interception;
import dev.kiln.gate.Router;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What the gate costs a call (issue 17): the same small API call (an EC2-sized answer) made
 * directly to a loopback server and through the gate, which terminates TLS for the API host and
 * routes it to that server, as it does for packer in tests and the demo. Reports the latency the
 * gate adds (median and p99 of each path, one connection each, calls in sequence) and the calls
 * per second it sustains with several clients at once.
 *
 * <pre>{@code bin/bench gate [calls] [clients]}</pre>
 *
 * <p>The client is the JDK's HTTP/1.1 client over keep-alive connections, as Go's clients in
 * packer keep theirs; its own cost is in both paths, so the difference is the gate's.
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
        // Basic proxy credentials on CONNECT, as Go sends them; the JDK leaves them out by default.
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
            GateClient token = gate.newClient("bench");
            HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpClient gated = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .proxy(ProxySelector.of(gate.address())).authenticator(proxyToken(token))
                    .sslContext(trusting(gate)).build();
            URI directUri = server.resolve("/");
            URI gatedUri = URI.create("https://" + HOST + "/");

            int warmup = Math.min(calls, 5_000);
            sequence(direct, directUri, warmup);
            sequence(gated, gatedUri, warmup);
            long[] plain = sequence(direct, directUri, calls);
            long[] through = sequence(gated, gatedUri, calls);
            double plainMedian = percentile(plain, 50);
            double throughMedian = percentile(through, 50);
            double plainP99 = percentile(plain, 99);
            double throughP99 = percentile(through, 99);
            System.out.printf(Locale.ROOT, "one client, %d calls in sequence: direct median %.3f ms p99 %.3f ms;"
                    + " through the gate median %.3f ms p99 %.3f ms; added median %.3f ms, p99 %.3f ms%n", calls,
                    plainMedian, plainP99, throughMedian, throughP99, throughMedian - plainMedian,
                    throughP99 - plainP99);

            double directRate = rate(direct, directUri, calls, clients);
            double gatedRate = rate(gated, gatedUri, calls, clients);
            System.out.printf(Locale.ROOT, "%d clients at once, %d calls: direct %.0f calls/s, through the gate"
                    + " %.0f calls/s%n", clients, calls, directRate, gatedRate);
        } finally {
            upstream.stop(0);
            ((ExecutorService) upstream.getExecutor()).shutdownNow();
        }
    }

    private static long[] sequence(HttpClient client, URI uri, int calls) throws IOException, InterruptedException {
        long[] nanos = new long[calls];
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            call(client, uri);
            nanos[i] = System.nanoTime() - start;
        }
        return nanos;
    }

    private static double rate(HttpClient client, URI uri, int calls, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicLong left = new AtomicLong(calls);
        try {
            long start = System.nanoTime();
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                workers.add(pool.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        call(client, uri);
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
            return calls / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void call(HttpClient client, URI uri) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(FORM)).build();
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IOException("calling " + uri + " failed: " + e.getMessage(), e);
        }
        if (response.statusCode() != 200 || response.body().length != ANSWER.length) {
            throw new IllegalStateException("unexpected answer " + response.statusCode() + " from " + uri);
        }
    }

    private static double percentile(long[] nanos, double p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    private static Authenticator proxyToken(GateClient client) {
        return new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return getRequestorType() == RequestorType.PROXY
                        ? new PasswordAuthentication(client.token(), new char[0]) : null;
            }
        };
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
