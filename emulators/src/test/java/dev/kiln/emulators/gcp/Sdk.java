package dev.kiln.emulators.gcp;

import com.google.api.client.http.HttpResponseException;
import com.google.api.gax.core.NoCredentialsProvider;
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
import com.google.cloud.compute.v1.RegionsClient;
import com.google.cloud.compute.v1.RegionsSettings;
import com.google.cloud.compute.v1.ZoneOperationsClient;
import com.google.cloud.compute.v1.ZoneOperationsSettings;
import com.google.cloud.compute.v1.ZonesClient;
import com.google.cloud.compute.v1.ZonesSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The official google-cloud-compute client pointed at an emulator: plain HTTP endpoint without a
 * trailing slash, no credentials, one attempt per call (so a throttle or fault surfaces as the
 * exception gax raises for it).
 */
final class Sdk implements AutoCloseable {

    final RegionsClient regions;
    final ProjectsClient projects;
    final ZonesClient zones;
    final MachineTypesClient machineTypes;
    final InstancesClient instances;
    final DisksClient disks;
    final ImagesClient images;
    final ZoneOperationsClient zoneOperations;
    final GlobalOperationsClient globalOperations;
    private final List<AutoCloseable> all = new ArrayList<>();

    Sdk(GceEmulator emulator) {
        String endpoint = emulator.endpoint().toString();
        try {
            regions = keep(RegionsClient.create(configure(RegionsSettings.newBuilder(), endpoint)
                    .applyToAllUnaryMethods(Sdk::once).build()));
            projects = keep(ProjectsClient.create(configure(ProjectsSettings.newBuilder(), endpoint)
                    .applyToAllUnaryMethods(Sdk::once).build()));
            zones = keep(ZonesClient.create(configure(ZonesSettings.newBuilder(), endpoint)
                    .applyToAllUnaryMethods(Sdk::once).build()));
            machineTypes = keep(MachineTypesClient.create(configure(MachineTypesSettings.newBuilder(), endpoint)
                    .applyToAllUnaryMethods(Sdk::once).build()));
            instances = keep(InstancesClient.create(configure(InstancesSettings.newBuilder(), endpoint)
                    .applyToAllUnaryMethods(Sdk::once).build()));
            disks = keep(DisksClient.create(configure(DisksSettings.newBuilder(), endpoint)
                    .applyToAllUnaryMethods(Sdk::once).build()));
            images = keep(ImagesClient.create(configure(ImagesSettings.newBuilder(), endpoint)
                    .applyToAllUnaryMethods(Sdk::once).build()));
            zoneOperations = keep(ZoneOperationsClient.create(configure(ZoneOperationsSettings.newBuilder(), endpoint)
                    .applyToAllUnaryMethods(Sdk::once).build()));
            globalOperations = keep(GlobalOperationsClient.create(configure(GlobalOperationsSettings.newBuilder(),
                    endpoint).applyToAllUnaryMethods(Sdk::once).build()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The raw body of the HTTP error behind a gax exception: gax keeps only the status in its message. */
    static String body(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpResponseException h) {
                return h.getContent();
            }
        }
        throw new AssertionError("no HTTP response behind " + e, e);
    }

    private <T extends AutoCloseable> T keep(T client) {
        all.add(client);
        return client;
    }

    private static <S extends ClientSettings<S>, B extends ClientSettings.Builder<S, B>> B configure(B builder,
            String endpoint) {
        return builder.setEndpoint(endpoint).setCredentialsProvider(NoCredentialsProvider.create());
    }

    private static Void once(UnaryCallSettings.Builder<?, ?> call) {
        call.setRetryableCodes(Set.of());
        call.setRetrySettings(call.getRetrySettings().toBuilder().setMaxAttempts(1).build());
        return null;
    }

    @Override
    public void close() {
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                // closing test clients: nothing to do about it
            }
        }
    }
}
