package dev.kiln.gcp;

import dev.kiln.plan.Target;
import dev.kiln.spi.ApiGate;
import dev.kiln.spi.ProviderContext;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A provider context whose gates let everything through and remember what they were told. */
final class RecordingContext implements ProviderContext {

    final List<String> acquired = new CopyOnWriteArrayList<>();
    final List<String> throttled = new CopyOnWriteArrayList<>();
    private final TimeSource time;

    RecordingContext(TimeSource time) {
        this.time = time;
    }

    @Override
    public ApiGate gate(Target target) {
        return new ApiGate() {
            @Override
            public void acquire(String api) {
                acquired.add(api);
            }

            @Override
            public void throttled(String api, Duration retryAfter) {
                throttled.add(api);
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
}
