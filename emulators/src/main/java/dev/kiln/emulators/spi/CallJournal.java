package dev.kiln.emulators.spi;

import dev.kiln.emulators.ApiCall;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/** The most recent calls an emulator answered, bounded, plus an optional listener told of each. */
public final class CallJournal {

    private final int capacity;
    private final Consumer<ApiCall> listener;
    private final ArrayDeque<ApiCall> calls = new ArrayDeque<>();

    /** Keeps the last {@code capacity} calls and tells {@code listener} (which may be null) of each. */
    public CallJournal(int capacity, Consumer<ApiCall> listener) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("journal capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.listener = listener;
    }

    public void add(ApiCall call) {
        synchronized (calls) {
            if (calls.size() == capacity) {
                calls.removeFirst();
            }
            calls.addLast(call);
        }
        if (listener != null) {
            listener.accept(call);
        }
    }

    /** The calls kept, oldest first. */
    public List<ApiCall> snapshot() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    public void clear() {
        synchronized (calls) {
            calls.clear();
        }
    }
}
