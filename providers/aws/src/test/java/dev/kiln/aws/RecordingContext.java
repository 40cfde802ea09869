package dev.kiln.aws;

import dev.kiln.plan.Target;
import dev.kiln.spi.ApiGate;
import dev.kiln.spi.ProviderContext;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A context whose gates never wait but count what went through them, by target and action. */
final class RecordingContext implements ProviderContext {

    private final TimeSource time;
    private final Map<String, AtomicInteger> acquired = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> throttled = new ConcurrentHashMap<>();
    private final List<String> order = new CopyOnWriteArrayList<>();

    RecordingContext(TimeSource time) {
        this.time = time;
    }

    @Override
    public ApiGate gate(Target target) {
        return new ApiGate() {
            @Override
            public void acquire(String api) {
                acquired.computeIfAbsent(api, a -> new AtomicInteger()).incrementAndGet();
                order.add(api);
            }

            @Override
            public void throttled(String api, Duration retryAfter) {
                throttled.computeIfAbsent(api, a -> new AtomicInteger()).incrementAndGet();
            }

            @Override
            public void remaining(String limit, long remaining) {
            }
        };
    }

    @Override
    public TimeSource time() {
        return time;
    }

    int acquired(String api) {
        AtomicInteger n = acquired.get(api);
        return n == null ? 0 : n.get();
    }

    int throttled(String api) {
        AtomicInteger n = throttled.get(api);
        return n == null ? 0 : n.get();
    }

    Map<String, Integer> acquired() {
        Map<String, Integer> out = new TreeMap<>();
        acquired.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Every acquire, in order. */
    List<String> order() {
        return List.copyOf(order);
    }
}
