package dev.kiln.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.limits.LimitKey;
import dev.kiln.spi.Coordination;
import dev.kiln.spi.Lease;
import dev.kiln.spi.Reservation;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two stores on one database, each with its own pool, as two nodes would be. Their clocks are one
 * virtual clock: nodes on NTP agree closely enough for leases and heartbeats measured in seconds.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class TwoNodesTest {

    private static EmbeddedPostgresServer postgres;

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-03-01T08:00:00Z"));
    private PostgresCoordination nodeA;
    private PostgresCoordination nodeB;

    @BeforeAll
    static void postgres(EmbeddedPostgresServer server) {
        postgres = server;
    }

    @BeforeEach
    void twoNodes() {
        String schema = EmbeddedPostgresServer.freshSchema();
        nodeA = node(schema, "node-a");
        nodeB = node(schema, "node-b");
    }

    private PostgresCoordination node(String schema, String id) {
        return PostgresCoordination.builder(postgres.url()).schema(schema).poolSize(4).nodeId(id).timeSource(time)
                .build();
    }

    @AfterEach
    void closeNodes() {
        for (PostgresCoordination node : new PostgresCoordination[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    void concurrent_reservations_from_two_nodes_never_exceed_capacity() throws Exception {
        LimitKey cpus = new LimitKey("aws/123/us-east-1", "vcpus");
        LimitKey slots = new LimitKey("vsphere/dc1/cluster", "provisioning");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> tasks = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                Coordination node = i % 2 == 0 ? nodeA : nodeB;
                Reservation cpu = new Reservation(cpus, 3, 30);
                Reservation slot = new Reservation(slots, 1, 12);
                // Half list the keys the other way round: sorted row locks must keep this deadlock-free.
                List<Reservation> items = i % 4 < 2 ? List.of(cpu, slot) : List.of(slot, cpu);
                String holder = "job-" + i;
                tasks.add(() -> node.reservations().tryReserve(holder, items));
            }
            int granted = 0;
            for (Future<Boolean> f : pool.invokeAll(tasks)) {
                granted += f.get() ? 1 : 0;
            }

            assertThat(granted).as("30 vCPUs / 3 each").isEqualTo(10);
            assertThat(nodeA.reservations().reserved(cpus)).isEqualTo(30);
            assertThat(nodeB.reservations().reserved(cpus)).isEqualTo(30);
            assertThat(nodeB.reservations().reserved(slots)).isEqualTo(10);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void a_bucket_drained_through_one_node_is_empty_through_the_other() {
        LimitKey key = new LimitKey("aws/123/us-east-1", "RunInstances");
        BucketConfiguration config = BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(20).refillGreedy(2, Duration.ofSeconds(1)).build()).build();
        Bucket onA = nodeA.rates().bucket(key, config);
        Bucket onB = nodeB.rates().bucket(key, config);

        assertThat(onA.tryConsumeAsMuchAsPossible()).isEqualTo(20);

        assertThat(onB.tryConsume(1)).isFalse();
        assertThat(onB.estimateAbilityToConsume(1).getNanosToWaitForRefill())
                .isEqualTo(Duration.ofMillis(500).toNanos());
        time.advance(Duration.ofSeconds(1));
        assertThat(onB.tryConsume(2)).isTrue();
        assertThat(onA.getAvailableTokens()).isZero();
    }

    @Test
    void a_refill_lowered_through_one_node_holds_for_the_other() {
        LimitKey key = new LimitKey("azure/sub/westeurope", "reads");
        BucketConfiguration full = BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(100).refillGreedy(10, Duration.ofSeconds(1)).build()).build();
        BucketConfiguration lowered = BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(100).refillGreedy(1, Duration.ofSeconds(1)).build()).build();
        nodeA.rates().bucket(key, full).tryConsumeAsMuchAsPossible();

        nodeA.rates().bucket(key, full).replaceConfiguration(lowered, TokensInheritanceStrategy.AS_IS);
        time.advance(Duration.ofSeconds(5));

        assertThat(nodeB.rates().bucket(key, full).getAvailableTokens()).isEqualTo(5);
    }

    @Test
    void a_lease_is_refused_to_the_other_node_until_it_expires_and_the_late_holder_is_fenced_off() {
        String job = "run-7/ubuntu-22.04/aws/123/us-east-1/dev";
        Lease first = nodeA.leases().tryLease(job, "node-a", Duration.ofSeconds(30)).orElseThrow();
        assertThat(nodeB.leases().tryLease(job, "node-b", Duration.ofSeconds(30))).isEmpty();

        time.advance(Duration.ofSeconds(29));
        assertThat(nodeB.leases().tryLease(job, "node-b", Duration.ofSeconds(30))).as("still node-a's").isEmpty();

        time.advance(Duration.ofSeconds(2));
        Lease second = nodeB.leases().tryLease(job, "node-b", Duration.ofSeconds(30)).orElseThrow();
        assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());

        assertThat(nodeA.leases().complete(first, "SUCCEEDED by node-a")).as("late holder").isFalse();
        assertThat(nodeA.leases().renew(first, Duration.ofSeconds(30))).isFalse();
        assertThat(nodeB.leases().complete(second, "SUCCEEDED by node-b")).isTrue();
        assertThat(nodeA.leases().outcome(job)).contains("SUCCEEDED by node-b");
    }

    @Test
    void nodes_racing_for_one_lease_get_exactly_one() throws Exception {
        String job = "run-8/job";
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Optional<Lease>>> tasks = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Coordination node = i % 2 == 0 ? nodeA : nodeB;
                String owner = (i % 2 == 0 ? "node-a" : "node-b") + "/worker-" + i;
                tasks.add(() -> node.leases().tryLease(job, owner, Duration.ofMinutes(1)));
            }
            int leased = 0;
            for (Future<Optional<Lease>> f : pool.invokeAll(tasks)) {
                leased += f.get().isPresent() ? 1 : 0;
            }
            assertThat(leased).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void a_dead_nodes_reservations_are_freed_for_the_living_one() {
        LimitKey cpus = new LimitKey("gcp/project/europe-west1", "CPUS");
        nodeA.reservations().heartbeat("node-a", Duration.ofSeconds(30));
        nodeB.reservations().heartbeat("node-b", Duration.ofSeconds(30));
        assertThat(nodeA.reservations().tryReserve("node-a", "job-1", List.of(new Reservation(cpus, 8, 8)))).isTrue();
        assertThat(nodeB.reservations().tryReserve("node-b", "job-2", List.of(new Reservation(cpus, 8, 8)))).isFalse();

        // node-a dies; node-b keeps beating.
        time.advance(Duration.ofSeconds(20));
        nodeB.reservations().heartbeat("node-b", Duration.ofSeconds(30));
        time.advance(Duration.ofSeconds(11));

        assertThat(nodeB.reservations().reserved(cpus)).isZero();
        assertThat(nodeB.reservations().tryReserve("node-b", "job-2", List.of(new Reservation(cpus, 8, 8)))).isTrue();
        nodeA.reservations().heartbeat("node-a", Duration.ofSeconds(30));
        assertThat(nodeA.reservations().reserved(cpus)).as("node-a back: job-1's quota stays given away").isEqualTo(8);
    }

    @Test
    void windows_counted_from_two_nodes_stay_within_the_limit() throws Exception {
        LimitKey key = new LimitKey("gcp/project", "compute.googleapis.com/read_requests");
        Instant window = Instant.parse("2026-03-01T08:00:00Z");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Long>> tasks = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Coordination node = i % 2 == 0 ? nodeA : nodeB;
                tasks.add(() -> node.rates().tryCountInWindow(key, window, 7, 100));
            }
            int counted = 0;
            for (Future<Long> f : pool.invokeAll(tasks)) {
                counted += f.get() >= 0 ? 1 : 0;
            }
            assertThat(counted).isEqualTo(14);
            assertThat(nodeB.rates().countInWindow(key, window)).isEqualTo(98);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void nodes_joining_one_run_agree_on_its_start_to_the_nanosecond() {
        Instant first = Instant.parse("2026-03-01T08:00:00.123456789Z");
        assertThat(nodeA.leases().joinRun("run-9", first)).isEqualTo(first);
        assertThat(nodeB.leases().joinRun("run-9", first.plusSeconds(3))).isEqualTo(first);
    }

    @Test
    void a_name_taken_through_one_node_is_refused_through_the_other() {
        assertThat(nodeA.imageNames().tryReserve("aws/123/us-east-1", "ubuntu-22.04-dev-20260301", "run-9")).isTrue();
        assertThat(nodeB.imageNames().tryReserve("aws/123/us-east-1", "ubuntu-22.04-dev-20260301", "run-10")).isFalse();
        assertThat(nodeB.imageNames().tryReserve("aws/123/us-east-1", "ubuntu-22.04-dev-20260301", "run-9")).isTrue();
    }
}
