package dev.kiln.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.limits.LimitKey;
import dev.kiln.spi.Coordination;
import dev.kiln.spi.ImageNames;
import dev.kiln.spi.Lease;
import dev.kiln.spi.Leases;
import dev.kiln.spi.Rates;
import dev.kiln.spi.Reservation;
import dev.kiln.spi.Reservations;
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
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Coordination} store must do, a section per part (rates, reservations, image
 * names, leases). The in-memory store and every database-backed store pass the same tests: a
 * store module extends this class and supplies the store.
 *
 * <p>Stability: evolving; new contract tests may be added in minor releases.
 */
public abstract class CoordinationContract {

    /** Virtual time for the tests; a store must read time only through the time source it is given. */
    protected final VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-01T00:00:00Z"));
    private Coordination store;
    private String prefix;

    /** A store using {@code time}, empty or namespaced so tests do not see each other's keys. */
    protected abstract Coordination newStore(TimeSource time);

    @BeforeEach
    final void open() {
        store = newStore(time);
        prefix = "t" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    final void close() {
        // No store when newStore skipped the test (a database that could not start).
        if (store != null) {
            store.close();
        }
    }

    protected final Coordination store() {
        return store;
    }

    private LimitKey key(String name) {
        return new LimitKey(prefix + "/acct/region", name);
    }

    @Test
    void a_store_hands_out_the_same_parts_every_time() {
        assertThat(store.rates()).isSameAs(store.rates());
        assertThat(store.reservations()).isSameAs(store.reservations());
        assertThat(store.imageNames()).isSameAs(store.imageNames());
        assertThat(store.leases()).isSameAs(store.leases());
    }

    /** Token buckets and fixed windows: {@link Rates}. */
    @Nested
    class RatesPart {

        private Rates rates() {
            return store.rates();
        }

        /** A bucket of 10 tokens refilling {@code tokens} per {@code period}. */
        private BucketConfiguration tenPer(Duration period, long tokens) {
            return BucketConfiguration.builder()
                    .addLimit(Bandwidth.builder().capacity(10).refillGreedy(tokens, period).build()).build();
        }

        @Test
        void a_bucket_is_created_once_and_shared() {
            BucketConfiguration config = tenPer(Duration.ofSeconds(10), 10);
            Bucket a = rates().bucket(key("b"), config);
            assertThat(a.tryConsume(7)).isTrue();
            Bucket b = rates().bucket(key("b"), config);
            assertThat(b.tryConsume(7)).isFalse();
            assertThat(b.getAvailableTokens()).isEqualTo(3);
        }

        @Test
        void a_bucket_refills_as_the_stores_time_passes() {
            BucketConfiguration config = tenPer(Duration.ofSeconds(10), 10);
            Bucket bucket = rates().bucket(key("refill"), config);
            assertThat(bucket.tryConsume(10)).isTrue();
            assertThat(bucket.estimateAbilityToConsume(4).getNanosToWaitForRefill())
                    .isEqualTo(Duration.ofSeconds(4).toNanos());

            time.advance(Duration.ofSeconds(4));

            assertThat(bucket.getAvailableTokens()).isEqualTo(4);
        }

        @Test
        void a_replaced_configuration_is_the_one_every_caller_sees() {
            BucketConfiguration fast = tenPer(Duration.ofSeconds(10), 10);
            BucketConfiguration slow = tenPer(Duration.ofSeconds(10), 1);
            Bucket bucket = rates().bucket(key("lowered"), fast);
            assertThat(bucket.tryConsume(10)).isTrue();

            bucket.replaceConfiguration(slow, TokensInheritanceStrategy.AS_IS);
            time.advance(Duration.ofSeconds(10));

            assertThat(rates().bucket(key("lowered"), fast).getAvailableTokens()).as("refilled at the lowered rate")
                    .isEqualTo(1);
        }

        @Test
        void a_window_counts_up_to_its_limit_and_each_window_is_separate() {
            Instant w1 = Instant.parse("2026-01-01T00:00:00Z");
            Instant w2 = Instant.parse("2026-01-01T00:01:00Z");
            assertThat(rates().tryCountInWindow(key("w"), w1, 6, 10)).isEqualTo(6);
            assertThat(rates().tryCountInWindow(key("w"), w1, 5, 10)).isEqualTo(-1);
            assertThat(rates().tryCountInWindow(key("w"), w1, 4, 10)).isEqualTo(10);
            assertThat(rates().tryCountInWindow(key("w"), w2, 10, 10)).isEqualTo(10);
            assertThat(rates().countInWindow(key("w"), w1)).isEqualTo(10);
        }

        @Test
        void a_window_takes_back_what_was_counted_and_refuses_more_than_its_limit() {
            Instant w = Instant.parse("2026-01-01T00:02:00Z");
            assertThat(rates().tryCountInWindow(key("undo"), w, 11, 10)).as("more than the limit at once")
                    .isEqualTo(-1);
            assertThat(rates().countInWindow(key("undo"), w)).isZero();
            assertThat(rates().tryCountInWindow(key("undo"), w, 10, 10)).isEqualTo(10);
            assertThat(rates().tryCountInWindow(key("undo"), w, -4, Long.MAX_VALUE)).as("given back").isEqualTo(6);
            assertThat(rates().tryCountInWindow(key("undo"), w, 4, 10)).isEqualTo(10);
        }

    }

    /** Quota and concurrency reservations, lapsing with their node: {@link Reservations}. */
    @Nested
    class ReservationsPart {

        private Reservations reservations() {
            return store.reservations();
        }

        @Test
        void a_reservation_is_all_or_nothing() {
            LimitKey cpus = key("vcpus");
            LimitKey images = key("images");
            assertThat(reservations().tryReserve("a", List.of(new Reservation(cpus, 6, 8),
                    new Reservation(images, 1, 1))))
                    .isTrue();
            assertThat(reservations().tryReserve("b", List.of(new Reservation(cpus, 2, 8),
                    new Reservation(images, 1, 1))))
                    .isFalse();
            assertThat(reservations().reserved(cpus)).isEqualTo(6);
            reservations().release("a");
            assertThat(reservations().reserved(cpus)).isZero();
            assertThat(reservations().tryReserve("b", List.of(new Reservation(cpus, 2, 8),
                    new Reservation(images, 1, 1))))
                    .isTrue();
        }

        @Test
        void a_holder_reserving_again_replaces_its_amount() {
            LimitKey cpus = key("vcpus");
            assertThat(reservations().tryReserve("a", List.of(new Reservation(cpus, 6, 8)))).isTrue();
            assertThat(reservations().tryReserve("a", List.of(new Reservation(cpus, 8, 8)))).isTrue();
            assertThat(reservations().reserved(cpus)).isEqualTo(8);
        }

        @Test
        void concurrent_reservations_never_exceed_capacity() throws Exception {
            LimitKey cpus = key("vcpus");
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Callable<Boolean>> tasks = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    String holder = "h" + i;
                    tasks.add(() -> reservations().tryReserve(holder, List.of(new Reservation(cpus, 3, 30))));
                }
                int granted = 0;
                for (Future<Boolean> f : pool.invokeAll(tasks)) {
                    granted += f.get() ? 1 : 0;
                }
                assertThat(granted).isEqualTo(10);
                assertThat(reservations().reserved(cpus)).isEqualTo(30);
            } finally {
                pool.shutdownNow();
            }
        }

        @Test
        void the_reservations_of_a_node_that_stops_heartbeating_lapse() {
            LimitKey cpus = key("vcpus");
            reservations().heartbeat("node-a", Duration.ofSeconds(30));
            assertThat(reservations().tryReserve("node-a", "a1", List.of(new Reservation(cpus, 6, 8)))).isTrue();
            assertThat(reservations().tryReserve("node-b", "b1", List.of(new Reservation(cpus, 6, 8)))).isFalse();

            time.advance(Duration.ofSeconds(20));
            reservations().heartbeat("node-a", Duration.ofSeconds(30));
            time.advance(Duration.ofSeconds(20));
            assertThat(reservations().reserved(cpus)).as("still alive: heartbeat 20 s ago").isEqualTo(6);

            time.advance(Duration.ofSeconds(11));
            assertThat(reservations().reserved(cpus)).as("lapsed").isZero();
            assertThat(reservations().tryReserve("node-b", "b1", List.of(new Reservation(cpus, 6, 8)))).isTrue();
        }

        @Test
        void a_node_that_never_heartbeats_never_lapses() {
            LimitKey cpus = key("vcpus");
            assertThat(reservations().tryReserve("a", List.of(new Reservation(cpus, 6, 8)))).isTrue();
            time.advance(Duration.ofDays(2));
            assertThat(reservations().reserved(cpus)).isEqualTo(6);
        }

    }

    /** Image-name reservations: {@link ImageNames}. */
    @Nested
    class ImageNamesPart {

        private ImageNames imageNames() {
            return store.imageNames();
        }

        @Test
        void a_name_is_reserved_by_one_owner_per_scope() {
            String scope = prefix + "/gcp/project";
            assertThat(imageNames().tryReserve(scope, "ubuntu-dev", "run1")).isTrue();
            assertThat(imageNames().tryReserve(scope, "ubuntu-dev", "run1")).as("same owner again").isTrue();
            assertThat(imageNames().tryReserve(scope, "ubuntu-dev", "run2")).isFalse();
            assertThat(imageNames().tryReserve(scope + "-other", "ubuntu-dev", "run2")).isTrue();
            imageNames().release(scope, "ubuntu-dev", "run2");
            assertThat(imageNames().tryReserve(scope, "ubuntu-dev", "run2")).as("not released by a non-owner")
                    .isFalse();
            imageNames().release(scope, "ubuntu-dev", "run1");
            assertThat(imageNames().tryReserve(scope, "ubuntu-dev", "run2")).isTrue();
        }

    }

    /** Fenced leases, outcomes and shared run starts: {@link Leases}. */
    @Nested
    class LeasesPart {

        private Leases leases() {
            return store.leases();
        }

        @Test
        void a_lease_excludes_others_until_it_expires_and_fencing_tokens_grow() {
            String job = prefix + "/job";
            Lease first = leases().tryLease(job, "node-a", Duration.ofSeconds(30)).orElseThrow();
            assertThat(leases().tryLease(job, "node-b", Duration.ofSeconds(30))).isEmpty();

            time.advance(Duration.ofSeconds(31));
            Optional<Lease> second = leases().tryLease(job, "node-b", Duration.ofSeconds(30));
            assertThat(second).isPresent();
            assertThat(second.get().fencingToken()).isGreaterThan(first.fencingToken());
            assertThat(leases().renew(first, Duration.ofSeconds(30))).as("the expired holder cannot renew").isFalse();
            assertThat(leases().renew(second.get(), Duration.ofSeconds(30))).isTrue();
        }

        @Test
        void a_renewed_lease_outlives_its_first_expiry() {
            String job = prefix + "/renewed";
            Lease lease = leases().tryLease(job, "node-a", Duration.ofSeconds(30)).orElseThrow();
            time.advance(Duration.ofSeconds(20));
            assertThat(leases().renew(lease, Duration.ofSeconds(30))).isTrue();

            time.advance(Duration.ofSeconds(20));

            assertThat(leases().tryLease(job, "node-b", Duration.ofSeconds(30))).as("renewed until 50 s").isEmpty();
            assertThat(leases().complete(lease, "SUCCEEDED")).isTrue();
        }

        @Test
        void renewing_many_leases_at_once_extends_those_still_held_and_names_the_rest() {
            // Given three leases of node-a, one of which lapses and is taken by node-b
            Lease kept = leases().tryLease(prefix + "/many-1", "node-a", Duration.ofSeconds(60)).orElseThrow();
            Lease alsoKept = leases().tryLease(prefix + "/many-2", "node-a", Duration.ofSeconds(60)).orElseThrow();
            Lease lapsing = leases().tryLease(prefix + "/many-3", "node-a", Duration.ofSeconds(10)).orElseThrow();
            time.advance(Duration.ofSeconds(11));
            assertThat(leases().tryLease(prefix + "/many-3", "node-b", Duration.ofSeconds(60))).isPresent();

            // When node-a renews all three
            List<Lease> lost = leases().renewAll(List.of(kept, alsoKept, lapsing), Duration.ofSeconds(60));

            // Then the lapsed one is reported lost, and the others outlive their first expiry
            assertThat(lost).containsExactly(lapsing);
            time.advance(Duration.ofSeconds(55));
            assertThat(leases().tryLease(prefix + "/many-1", "node-b", Duration.ofSeconds(60))).isEmpty();
            assertThat(leases().complete(alsoKept, "SUCCEEDED")).isTrue();
            assertThat(leases().renewAll(List.of(), Duration.ofSeconds(60))).isEmpty();
        }

        @Test
        void a_lease_that_ran_out_cannot_record_an_outcome_even_if_nobody_took_it() {
            String job = prefix + "/lapsed";
            Lease lease = leases().tryLease(job, "node-a", Duration.ofSeconds(30)).orElseThrow();
            time.advance(Duration.ofSeconds(30));

            assertThat(leases().complete(lease, "SUCCEEDED")).isFalse();
            assertThat(leases().outcome(job)).isEmpty();
            assertThat(leases().renew(lease, Duration.ofSeconds(30))).isFalse();
        }

        @Test
        void a_released_lease_can_be_taken_at_once() {
            String job = prefix + "/job2";
            Lease lease = leases().tryLease(job, "node-a", Duration.ofMinutes(5)).orElseThrow();
            leases().release(lease);
            assertThat(leases().tryLease(job, "node-b", Duration.ofMinutes(5))).isPresent();
        }

        @Test
        void only_the_live_lease_can_record_an_outcome() {
            String job = prefix + "/job3";
            Lease stale = leases().tryLease(job, "node-a", Duration.ofSeconds(30)).orElseThrow();
            time.advance(Duration.ofSeconds(31));
            Lease live = leases().tryLease(job, "node-b", Duration.ofSeconds(30)).orElseThrow();

            assertThat(leases().complete(stale, "SUCCEEDED by a")).as("fenced off").isFalse();
            assertThat(leases().outcome(job)).isEmpty();
            assertThat(leases().complete(live, "SUCCEEDED by b")).isTrue();
            assertThat(leases().outcome(job)).contains("SUCCEEDED by b");
            assertThat(leases().tryLease(job, "node-c", Duration.ofSeconds(30))).as("completion ends the lease")
                    .isPresent();
        }

        @Test
        void the_first_node_to_register_a_run_sets_its_start() {
            String run = prefix + "run";
            Instant first = Instant.parse("2026-01-05T09:00:00Z");
            assertThat(leases().joinRun(run, first)).isEqualTo(first);
            assertThat(leases().joinRun(run, first.plusSeconds(42))).isEqualTo(first);
        }

    }
}
