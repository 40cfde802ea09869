package dev.kiln.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.micrometer.KilnMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves Kiln's meters ({@link KilnMetrics}) in Prometheus' text format on the loopback interface:
 * {@code GET /metrics}. Loopback only: a scraper on the same host, or a tunnel, reaches it;
 * nothing else on the network does.
 */
final class MetricsServer implements AutoCloseable {

    private final PrometheusMeterRegistry registry;
    private final KilnMetrics metrics;
    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(int port) throws IOException {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.metrics = new KilnMetrics();
        metrics.bindTo(registry);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kiln-metrics");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts serving on {@code port} (0 picks a free one). */
    static MetricsServer start(int port) {
        try {
            return new MetricsServer(port);
        } catch (IOException e) {
            throw new UsageException("cannot serve metrics on 127.0.0.1:" + port + ": " + e.getMessage()
                    + "; choose another --metrics-port (0 picks a free one)");
        }
    }

    KilnMetrics listener() {
        return metrics;
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port() + "/metrics";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            byte[] body;
            int status;
            String type = "text/plain; charset=utf-8";
            if (!"GET".equals(exchange.getRequestMethod())) {
                status = 405;
                body = "only GET\n".getBytes(StandardCharsets.UTF_8);
            } else if ("/metrics".equals(path)) {
                status = 200;
                type = "text/plain; version=0.0.4; charset=utf-8";
                body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            } else {
                status = 404;
                body = "Kiln serves its meters at /metrics\n".getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        registry.close();
    }
}
