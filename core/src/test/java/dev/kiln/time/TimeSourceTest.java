package dev.kiln.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class TimeSourceTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void virtual_time_jumps_to_the_deadline_of_a_waiter() throws InterruptedException {
        VirtualTime time = TimeSource.virtual(T0);
        boolean woken = time.await(new Wakeup(), Duration.ofHours(3).toNanos());
        assertThat(woken).isFalse();
        assertThat(time.now()).isEqualTo(T0.plus(Duration.ofHours(3)));
    }

    @Test
    void virtual_time_does_not_move_for_a_pending_signal() throws InterruptedException {
        VirtualTime time = TimeSource.virtual(T0);
        Wakeup wakeup = new Wakeup();
        wakeup.signal();
        assertThat(time.await(wakeup, Duration.ofHours(3).toNanos())).isTrue();
        assertThat(time.elapsed()).isZero();
    }

    @Test
    void virtual_time_refuses_to_wait_forever() {
        VirtualTime time = TimeSource.virtual(T0);
        assertThatThrownBy(() -> time.await(new Wakeup(), Long.MAX_VALUE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("would wait forever");
    }

    @Test
    void virtual_time_never_goes_backwards() {
        VirtualTime time = TimeSource.virtual(T0);
        time.advance(Duration.ofSeconds(10));
        time.advanceTo(Duration.ofSeconds(5).toNanos());
        assertThat(time.elapsed()).isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(() -> time.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void system_time_wakes_a_waiter_on_signal() throws Exception {
        TimeSource time = TimeSource.system();
        Wakeup wakeup = new Wakeup();
        CountDownLatch waiting = new CountDownLatch(1);
        boolean[] woken = new boolean[1];
        Thread waiter = new Thread(() -> {
            try {
                waiting.countDown();
                woken[0] = time.await(wakeup, time.nanoTime() + Duration.ofHours(1).toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiter.start();
        waiting.await();
        wakeup.signal();
        waiter.join();
        assertThat(woken[0]).isTrue();
    }

    @Test
    void system_time_returns_at_a_past_deadline() throws InterruptedException {
        TimeSource time = TimeSource.system();
        assertThat(time.await(new Wakeup(), time.nanoTime() - 1)).isFalse();
    }
}
