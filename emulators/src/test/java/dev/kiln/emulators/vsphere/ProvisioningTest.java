package dev.kiln.emulators.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.emulators.ActionCounts;
import dev.kiln.emulators.vsphere.Rest.Answer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** vCenter queues provisioning over its cost limits instead of failing it; the emulator does the same. */
class ProvisioningTest {

    private record Op(String host, String datastore, long cost, long arrival, long duration, Provisioning.Slot slot) {
    }

    @Test
    void generated_operations_never_exceed_a_limit_and_wait_no_longer_than_needed() {
        for (long seed = 1; seed <= 200; seed++) {
            // Given a random stream of clones over 3 hosts and 2 datastores with small limits
            Random random = new Random(seed);
            long hostMax = 1 + random.nextInt(4);
            long dsMax = 1 + random.nextInt(6);
            Provisioning p = new Provisioning(hostMax, dsMax);
            List<Op> ops = new ArrayList<>();
            long now = 0;
            for (int i = 0; i < 40; i++) {
                now += random.nextInt(5) * 1_000L;
                long cost = 1 + random.nextInt(2);
                long duration = (1 + random.nextInt(20)) * 1_000L;
                String host = "esx-0" + (1 + random.nextInt(3));
                String ds = "ds" + (1 + random.nextInt(2));
                ops.add(new Op(host, ds, cost, now, duration, p.admit(host, ds, cost, now, duration)));
            }

            // Then no resource ever has more than its limit in flight, and the emulator says what it saw
            for (ProvisioningStats s : p.stats()) {
                long max = s.kind().equals("host") ? hostMax : dsMax;
                long seen = 0;
                for (Op at : ops) {
                    long t = at.slot().startNanos();
                    long inFlight = 0;
                    for (Op o : ops) {
                        String name = s.kind().equals("host") ? o.host() : o.datastore();
                        if (name.equals(s.name()) && o.slot().startNanos() <= t && t < o.slot().endNanos()) {
                            inFlight += Math.min(o.cost(), max);
                        }
                    }
                    seen = Math.max(seen, inFlight);
                }
                assertThat(seen).as("seed %d %s", seed, s).isLessThanOrEqualTo(max)
                        .isEqualTo(s.maxConcurrentCostSeen());
            }
            // and each operation starts at its arrival or later, lasting what it asked for
            for (Op o : ops) {
                assertThat(o.slot().startNanos()).as("seed %d", seed).isGreaterThanOrEqualTo(o.arrival());
                assertThat(o.slot().endNanos() - o.slot().startNanos()).isEqualTo(o.duration());
                assertThat(o.slot().queued()).isEqualTo(o.slot().startNanos() > o.arrival());
            }
        }
    }

    @Test
    void clones_over_the_host_limit_wait_for_a_slot_instead_of_failing() throws Exception {
        // Given a vCenter whose hosts take 2 provisioning operations at once, each clone taking 400 ms
        try (VcenterEmulator vcenter = VcenterEmulator.builder().hostMaxCost(2).cloneTime(Duration.ofMillis(400))
                .start()) {
            Rest setup = new Rest(vcenter).login();
            String source = Rest.id(setup.get("/api/vcenter/vm?names=kiln-source-template"), "vm");
            String host = Rest.id(setup.get("/api/vcenter/host?names=esx-02"), "host");

            // When 6 clones to one host arrive together
            ExecutorService pool = Executors.newFixedThreadPool(6);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Answer>> answers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String body = "{\"source\":\"" + source + "\",\"name\":\"q-" + i + "\",\"placement\":{\"host\":\""
                        + host + "\"}}";
                Rest rest = new Rest(vcenter).withSession(setup.session());
                answers.add(pool.submit(() -> {
                    go.await();
                    return rest.post("/api/vcenter/vm?action=clone", body);
                }));
            }
            go.countDown();
            for (Future<Answer> a : answers) {
                assertThat(a.get().status()).isEqualTo(200);
            }
            pool.shutdown();

            // Then all succeed, in three waves, never more than 2 at once on the host
            assertThat(vcenter.maxConcurrentHostCost("esx-02")).isEqualTo(2);
            ActionCounts clones = vcenter.counters().of("vcenter.vm.clone");
            assertThat(clones.calls()).isEqualTo(6);
            assertThat(clones.succeeded()).isEqualTo(6);
            assertThat(clones.queued()).isEqualTo(4);
            assertThat(vcenter.provisioning()).filteredOn(s -> s.kind().equals("host")).singleElement()
                    .satisfies(s -> assertThat(s.queued()).isEqualTo(4));
            assertThat(vcenter.vms()).filteredOn(v -> v.name().startsWith("q-")).hasSize(6)
                    .allSatisfy(v -> assertThat(v.host()).isEqualTo("esx-02"));
        }
    }
}
