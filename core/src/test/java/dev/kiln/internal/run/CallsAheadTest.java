package dev.kiln.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Preflight's calls made ahead: a few at a time, each once, taken in the loop's own order. */
class CallsAheadTest {

    private final ExecutorService workers = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    @Test
    void at_most_eight_run_at_once_and_a_call_no_worker_began_is_made_by_its_taker() throws Exception {
        // Given ten calls queued, the first eight blocking until released
        CallsAhead ahead = new CallsAhead();
        CountDownLatch eightStarted = new CountDownLatch(CallsAhead.AT_ONCE);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger made = new AtomicInteger();
        for (int i = 0; i < 10; i++) {
            int n = i;
            ahead.putIfAbsent("call " + n, () -> {
                made.incrementAndGet();
                if (n < CallsAhead.AT_ONCE) {
                    eightStarted.countDown();
                    await(release);
                }
                return "answer " + n;
            });
        }

        // When they start, and the tenth is taken while the eight workers are all busy
        ahead.start(workers);
        assertThat(eightStarted.await(30, TimeUnit.SECONDS)).isTrue();
        String tenth = ahead.take("call 9", () -> "not queued");

        // Then the taker made it itself, once, while no worker had begun the ninth or tenth
        assertThat(tenth).isEqualTo("answer 9");
        assertThat(made).hasValue(CallsAhead.AT_ONCE + 1);

        // And the others' answers come as they are made, each call made once
        release.countDown();
        for (int i = 0; i < 9; i++) {
            assertThat(ahead.take("call " + i, () -> "not queued")).isEqualTo("answer " + i);
        }
        assertThat(made).hasValue(10);
    }

    @Test
    void a_calls_exception_is_thrown_to_its_taker_and_an_unqueued_call_is_made_when_taken() {
        CallsAhead ahead = new CallsAhead();
        ahead.putIfAbsent("probe", () -> {
            throw new IllegalStateException("503 from the quota API");
        });
        ahead.start(workers);

        assertThatThrownBy(() -> ahead.take("probe", () -> "unused"))
                .isInstanceOf(IllegalStateException.class).hasMessage("503 from the quota API");
        assertThat(ahead.take("never queued", () -> "made now")).isEqualTo("made now");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
