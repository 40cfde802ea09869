package dev.kiln.gcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.cloud.compute.v1.Address;
import com.google.cloud.compute.v1.AddressesClient;
import com.google.cloud.compute.v1.AddressesSettings;
import com.google.cloud.compute.v1.InsertAddressRequest;
import com.google.cloud.compute.v1.Operation;
import dev.kiln.emulators.gcp.GceDelays;
import dev.kiln.emulators.gcp.GceEmulator;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.plan.Target;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Waiting on operations of every scope, polled through the gate, each one {@code operation.get}. */
class OperationsTest {

    @Test
    void aRegionalOperationIsPolledAtItsRegionUntilDone() throws Exception {
        try (GceEmulator gce = GceEmulator.builder().delays(GceDelays.uniform(Duration.ofMillis(300))).start()) {
            GcpSettings settings = new GcpSettings("gcp", URI.create(gce.endpoint() + "/"),
                    NoCredentialsProvider.create(), ProviderDefaults.gcp(), ProviderDefaults.gcpCompute(), 3,
                    Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(30),
                    Duration.ofSeconds(10), Duration.ofSeconds(2));
            Operation op;
            try (AddressesClient addresses = AddressesClient.create(AddressesSettings.newBuilder()
                    .setEndpoint(gce.endpoint().toString()).setCredentialsProvider(NoCredentialsProvider.create())
                    .build())) {
                op = addresses.insertCallable().call(InsertAddressRequest.newBuilder().setProject("kiln-test")
                        .setRegion("us-east1").setAddressResource(Address.newBuilder().setName("nat-1")).build());
            }
            assertThat(op.getRegion()).endsWith("/regions/us-east1");
            try (ComputeClients clients = new ComputeClients(settings)) {
                Operations operations = new Operations(clients, new Calls(settings), settings);
                assertThat(operations.await(Target.of("gcp", "kiln-test", "us-east1"), op)).isNull();
            }
            assertThat(gce.counters().of("regionOperations.get").calls()).isPositive();
            assertThat(gce.counters().of("globalOperations.get").calls()).isZero();
        }
    }
}
