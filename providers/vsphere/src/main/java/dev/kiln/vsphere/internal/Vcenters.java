package dev.kiln.vsphere.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.plan.Target;
import dev.kiln.spi.ApiGate;
import dev.kiln.spi.ProviderContext;
import dev.kiln.time.TimeSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kiln's way to call vCenters: one {@link VcenterClient} (REST) and one {@link VimClient} (vim25)
 * per account, all on one JDK HTTP client whose threads the provider owns, every call through the
 * target's {@link ApiGate}.
 */
public final class Vcenters implements AutoCloseable {

    private final VsphereSettings settings;
    private final ExecutorService httpThreads;
    private final HttpClient http;
    private final Map<String, VcenterClient> clients = new ConcurrentHashMap<>();
    private final Map<String, VimClient> vims = new ConcurrentHashMap<>();
    private volatile ProviderContext context;

    public Vcenters(VsphereSettings settings) {
        this.settings = settings;
        AtomicInteger n = new AtomicInteger();
        this.httpThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kiln-vsphere-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder().sslContext(settings.tls()).connectTimeout(settings.connectTimeout())
                .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER)
                .executor(httpThreads).build();
    }

    public void start(ProviderContext ctx) {
        this.context = ctx;
    }

    TimeSource time() {
        ProviderContext c = context;
        return c == null ? TimeSource.system() : c.time();
    }

    private ApiGate gate(Target target) {
        ProviderContext c = context;
        return c == null ? ApiGate.open() : c.gate(target);
    }

    private VcenterClient client(Target target) {
        return clients.computeIfAbsent(target.account(), account -> new VcenterClient(settings.vcenterOf(account),
                settings.credentialsOf(account), http, settings.requestTimeout(), this::time));
    }

    /** The vCenter of {@code target}, for messages. */
    URI base(Target target) {
        return client(target).base();
    }

    JsonNode call(Target target, Call call) {
        return client(target).call(gate(target), call);
    }

    private VimClient vim(Target target) {
        return vims.computeIfAbsent(target.account(), account -> new VimClient(settings.vcenterOf(account),
                settings.credentialsOf(account), http, settings.requestTimeout(), this::time));
    }

    /** Every VM of the target's vCenter, templates included (vim25: the REST API hides templates). */
    List<VimClient.Vm> vms(Target target) {
        return vim(target).vms(gate(target));
    }

    /** The VMs and templates of the target's vCenter called {@code name}. */
    List<VimClient.Vm> vmsNamed(Target target, String name) {
        return vms(target).stream().filter(v -> v.name().equals(name)).toList();
    }

    /** Powers off and destroys VM or template {@code id}; false when it was gone already. */
    boolean destroy(Target target, String id) {
        return vim(target).destroy(gate(target), id);
    }

    /** The target's vCenter's {@code TaskManager.recentTask}, each task with its info. */
    List<VimClient.Task> recentTasks(Target target) {
        return vim(target).recentTasks(gate(target));
    }

    /** Task {@code id} of the target's vCenter; empty when vCenter no longer knows it. */
    Optional<VimClient.Task> task(Target target, String id) {
        return vim(target).task(gate(target), id);
    }

    /** The first element of a list answer, or null when it is empty. */
    static JsonNode first(JsonNode list) {
        return list.isArray() && list.size() > 0 ? list.get(0) : null;
    }

    @Override
    public void close() {
        clients.values().forEach(VcenterClient::close);
        clients.clear();
        vims.values().forEach(VimClient::close);
        vims.clear();
        httpThreads.shutdown();
        try {
            if (!httpThreads.awaitTermination(5, TimeUnit.SECONDS)) {
                httpThreads.shutdownNow();
            }
        } catch (InterruptedException e) {
            httpThreads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return String.valueOf(settings.defaultVcenter() != null ? settings.defaultVcenter()
                : settings.vcenters().isEmpty() ? "https://<account>" : settings.vcenters().values());
    }
}
