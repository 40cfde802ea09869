package dev.kiln.gcp.internal;

import com.google.api.gax.core.FixedExecutorProvider;
import com.google.api.gax.httpjson.InstantiatingHttpJsonChannelProvider;
import com.google.api.gax.rpc.ClientSettings;
import com.google.api.gax.rpc.UnaryCallSettings;
import com.google.cloud.compute.v1.DisksClient;
import com.google.cloud.compute.v1.DisksSettings;
import com.google.cloud.compute.v1.GlobalOperationsClient;
import com.google.cloud.compute.v1.GlobalOperationsSettings;
import com.google.cloud.compute.v1.ImagesClient;
import com.google.cloud.compute.v1.ImagesSettings;
import com.google.cloud.compute.v1.InstancesClient;
import com.google.cloud.compute.v1.InstancesSettings;
import com.google.cloud.compute.v1.MachineTypesClient;
import com.google.cloud.compute.v1.MachineTypesSettings;
import com.google.cloud.compute.v1.ProjectsClient;
import com.google.cloud.compute.v1.ProjectsSettings;
import com.google.cloud.compute.v1.RegionOperationsClient;
import com.google.cloud.compute.v1.RegionOperationsSettings;
import com.google.cloud.compute.v1.RegionsClient;
import com.google.cloud.compute.v1.RegionsSettings;
import com.google.cloud.compute.v1.ZoneOperationsClient;
import com.google.cloud.compute.v1.ZoneOperationsSettings;
import dev.kiln.KilnException;
import dev.kiln.spi.CredentialsException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The google-cloud-compute clients one provider uses, made on first use and sharing one small
 * thread pool. gax's own retries are off: every attempt must pass Kiln's gate, and waits go
 * through Kiln's time source, so {@link Calls} retries instead.
 */
public final class ComputeClients implements AutoCloseable {

    private final GcpSettings settings;
    private final List<AutoCloseable> made = new ArrayList<>();
    private ScheduledExecutorService executor;
    private RegionsClient regions;
    private ProjectsClient projects;
    private MachineTypesClient machineTypes;
    private InstancesClient instances;
    private DisksClient disks;
    private ImagesClient images;
    private ZoneOperationsClient zoneOperations;
    private GlobalOperationsClient globalOperations;
    private RegionOperationsClient regionOperations;
    private boolean closed;

    public ComputeClients(GcpSettings settings) {
        this.settings = settings;
    }

    public synchronized RegionsClient regions() {
        if (regions == null) {
            regions = keep(create(() -> RegionsClient.create(configure(RegionsSettings.newBuilder())
                    .applyToAllUnaryMethods(this::oneAttempt).build())));
        }
        return regions;
    }

    public synchronized ProjectsClient projects() {
        if (projects == null) {
            projects = keep(create(() -> ProjectsClient.create(configure(ProjectsSettings.newBuilder())
                    .applyToAllUnaryMethods(this::oneAttempt).build())));
        }
        return projects;
    }

    public synchronized MachineTypesClient machineTypes() {
        if (machineTypes == null) {
            machineTypes = keep(create(() -> MachineTypesClient.create(configure(MachineTypesSettings.newBuilder())
                    .applyToAllUnaryMethods(this::oneAttempt).build())));
        }
        return machineTypes;
    }

    public synchronized InstancesClient instances() {
        if (instances == null) {
            instances = keep(create(() -> InstancesClient.create(configure(InstancesSettings.newBuilder())
                    .applyToAllUnaryMethods(this::oneAttempt).build())));
        }
        return instances;
    }

    public synchronized DisksClient disks() {
        if (disks == null) {
            disks = keep(create(() -> DisksClient.create(configure(DisksSettings.newBuilder())
                    .applyToAllUnaryMethods(this::oneAttempt).build())));
        }
        return disks;
    }

    public synchronized ImagesClient images() {
        if (images == null) {
            images = keep(create(() -> ImagesClient.create(configure(ImagesSettings.newBuilder())
                    .applyToAllUnaryMethods(this::oneAttempt).build())));
        }
        return images;
    }

    public synchronized ZoneOperationsClient zoneOperations() {
        if (zoneOperations == null) {
            zoneOperations = keep(create(() -> ZoneOperationsClient.create(configure(
                    ZoneOperationsSettings.newBuilder()).applyToAllUnaryMethods(this::oneAttempt).build())));
        }
        return zoneOperations;
    }

    public synchronized GlobalOperationsClient globalOperations() {
        if (globalOperations == null) {
            globalOperations = keep(create(() -> GlobalOperationsClient.create(configure(
                    GlobalOperationsSettings.newBuilder()).applyToAllUnaryMethods(this::oneAttempt).build())));
        }
        return globalOperations;
    }

    public synchronized RegionOperationsClient regionOperations() {
        if (regionOperations == null) {
            regionOperations = keep(create(() -> RegionOperationsClient.create(configure(
                    RegionOperationsSettings.newBuilder()).applyToAllUnaryMethods(this::oneAttempt).build())));
        }
        return regionOperations;
    }

    @FunctionalInterface
    private interface Maker<T> {
        T make() throws IOException;
    }

    private <T> T create(Maker<T> maker) {
        if (closed) {
            throw new KilnException("this GCP provider is closed");
        }
        try {
            return maker.make();
        } catch (IOException e) {
            throw CredentialsException.missing(settings.id(), "the Compute Engine client could not load them: "
                    + e.getClass().getSimpleName(), Calls.credentialsFrom(settings), e);
        }
    }

    private <T extends AutoCloseable> T keep(T client) {
        made.add(client);
        return client;
    }

    private <S extends ClientSettings<S>, B extends ClientSettings.Builder<S, B>> B configure(B builder) {
        if (executor == null) {
            AtomicInteger n = new AtomicInteger();
            executor = Executors.newScheduledThreadPool(2, r -> {
                Thread t = new Thread(r, "kiln-gcp-http-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        builder.setBackgroundExecutorProvider(FixedExecutorProvider.create(executor));
        builder.setTransportChannelProvider(InstantiatingHttpJsonChannelProvider.newBuilder()
                .setExecutor(executor).build());
        if (settings.endpoint() != null) {
            builder.setEndpoint(settings.endpointText());
        }
        if (settings.credentials() != null) {
            builder.setCredentialsProvider(settings.credentials());
        }
        return builder;
    }

    private Void oneAttempt(UnaryCallSettings.Builder<?, ?> call) {
        call.setRetryableCodes(Set.of());
        call.setRetrySettings(call.getRetrySettings().toBuilder()
                .setMaxAttempts(1)
                .setInitialRpcTimeoutDuration(settings.callTimeout())
                .setMaxRpcTimeoutDuration(settings.callTimeout())
                .setTotalTimeoutDuration(settings.callTimeout())
                .build());
        return null;
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (AutoCloseable c : made) {
            try {
                c.close();
            } catch (Exception e) {
                // A client that fails to close holds nothing Kiln can free any other way.
            }
        }
        made.clear();
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
