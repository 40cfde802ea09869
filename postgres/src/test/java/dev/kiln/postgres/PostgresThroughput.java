package dev.kiln.postgres;

import dev.kiln.limits.LimitKey;
import dev.kiln.spi.Lease;
import dev.kiln.spi.Reservation;
import dev.kiln.time.TimeSource;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rough throughput of the store against the embedded server, for docs/postgres.md. Not a test:
 * its name keeps it out of the build (speed is measured, never asserted). Run it with
 * {@code mvn -B -q verify -pl postgres -am -Dtest=PostgresThroughput -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class PostgresThroughput {

    private static final Duration EACH = Duration.ofSeconds(3);
    private static final int MAX_OPS = 200_000;

    private static PostgresCoordination store;

    @BeforeAll
    static void start(EmbeddedPostgresServer postgres) {
        store = PostgresCoordination.builder(postgres.url()).schema("throughput").poolSize(8).nodeId("bench")
                .timeSource(TimeSource.system()).build();
    }

    @AfterAll
    static void stop() {
        store.close();
    }

    @Test
    void measure() throws Exception {
        System.out.printf(Locale.ROOT, "machine: %d cores, %s %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"));
        BucketConfiguration huge = BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(Long.MAX_VALUE / 4).refillGreedy(1_000_000, Duration.ofSeconds(1))
                        .build()).build();
        for (int threads : new int[] {1, 4}) {
            Bucket shared = store.rates().bucket(new LimitKey("bench", "shared"), huge);
            report("bucket draws (tryConsume), one key", threads, i -> shared.tryConsume(1000));
            report("bucket draws (tryConsume), a key per thread", threads,
                    i -> store.rates().bucket(new LimitKey("bench", "key-" + (i % threads)), huge).tryConsume(1000));
            report("bucket estimate (estimateAbilityToConsume)", threads, i -> shared.estimateAbilityToConsume(1000));
            LimitKey cpus = new LimitKey("bench", "vcpus");
            LimitKey slots = new LimitKey("bench", "slots");
            report("reserve 2 keys + release, same keys", threads, i -> {
                String holder = "h-" + Thread.currentThread().getId();
                store.reservations().tryReserve(holder, List.of(new Reservation(cpus, 1, Long.MAX_VALUE),
                        new Reservation(slots, 1, Long.MAX_VALUE)));
                store.reservations().release(holder);
            });
            report("reserved(key)", threads, i -> store.reservations().reserved(cpus));
            report("window count", threads, i -> store.rates().tryCountInWindow(new LimitKey("bench", "window"),
                    Instant.parse("2026-01-01T00:00:00Z"), 1, Long.MAX_VALUE));
            report("lease + complete, a job per call", threads, i -> {
                String job = "job-" + threads + "-" + Thread.currentThread().getId() + "-" + i;
                Lease lease = store.leases().tryLease(job, "bench", Duration.ofMinutes(1)).orElseThrow();
                store.leases().complete(lease, "SUCCEEDED");
            });
        }
    }

    private interface Op {
        void run(long i) throws Exception;
    }

    private static void report(String what, int threads, Op op) throws Exception {
        for (int i = 0; i < 200; i++) {
            op.run(i);
        }
        AtomicLong done = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        long end = start + EACH.toNanos();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                long i = 0;
                while (System.nanoTime() < end && done.get() < MAX_OPS) {
                    op.run(i++);
                    done.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%-48s threads=%d  %8.0f ops/s  %6.3f ms/op per thread%n", what, threads,
                done.get() / seconds, seconds * 1000 * threads / done.get());
    }
}
