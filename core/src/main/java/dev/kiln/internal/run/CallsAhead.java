package dev.kiln.internal.run;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Calls made ahead of the code that needs their answers: queued by key, made in the order queued
 * by at most {@link #AT_ONCE} of Kiln's workers, and taken by key on the loop. A call no worker
 * has begun when it is taken is made there and then, on the loop, as if nothing had been queued;
 * one a worker is making is waited for. Only the loop queues, starts and takes.
 */
final class CallsAhead {

    /** Calls under way at once: enough to overlap round trips, few enough not to crowd a cloud's API. */
    static final int AT_ONCE = 8;

    private final Map<String, Call> calls = new HashMap<>();
    private final ConcurrentLinkedQueue<Call> queue = new ConcurrentLinkedQueue<>();

    /** One call, made once by whichever of a worker and the loop claims it first. */
    private static final class Call {
        final Supplier<?> call;
        final AtomicBoolean claimed = new AtomicBoolean();
        final CompletableFuture<Object> answer = new CompletableFuture<>();

        Call(Supplier<?> call) {
            this.call = call;
        }

        void makeIfUnclaimed() {
            if (!claimed.compareAndSet(false, true)) {
                return;
            }
            try {
                answer.complete(call.get());
            } catch (RuntimeException | Error e) {
                answer.completeExceptionally(e);
            }
        }
    }

    /** Queues {@code call} under {@code key}, unless a call is queued under it already. */
    void putIfAbsent(String key, Supplier<?> call) {
        calls.computeIfAbsent(key, k -> {
            Call c = new Call(call);
            queue.add(c);
            return c;
        });
    }

    /** Starts the queued calls on {@code workers}. */
    void start(Executor workers) {
        int takers = Math.min(AT_ONCE, queue.size());
        for (int i = 0; i < takers; i++) {
            try {
                workers.execute(this::drain);
            } catch (RejectedExecutionException e) {
                return; // Kiln is closing: each call is made when it is taken
            }
        }
    }

    private void drain() {
        Call c;
        while ((c = queue.poll()) != null) {
            c.makeIfUnclaimed();
        }
    }

    /**
     * The answer of the call queued under {@code key}, made now unless a worker has begun it; or
     * {@code orElse}'s, made now, when none was queued. A call's exception is thrown as it was.
     */
    @SuppressWarnings("unchecked")
    <T> T take(String key, Supplier<T> orElse) {
        Call c = calls.remove(key);
        if (c == null) {
            return orElse.get();
        }
        c.makeIfUnclaimed();
        try {
            return (T) c.answer.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
