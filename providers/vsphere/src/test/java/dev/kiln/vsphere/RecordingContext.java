package dev.kiln.vsphere;

import dev.kiln.plan.Target;
import dev.kiln.spi.ApiGate;
import dev.kiln.spi.ProviderContext;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A provider context whose gate lets every call through and remembers it. */
final class RecordingContext implements ProviderContext {

    final List<String> acquired = new CopyOnWriteArrayList<>();
    final List<String> throttled = new CopyOnWriteArrayList<>();
    private final TimeSource time;

    RecordingContext(TimeSource time) {
        this.time = time;
    }

    RecordingContext() {
        this(TimeSource.system());
    }

    @Override
    public ApiGate gate(Target target) {
        return new ApiGate() {
            @Override
            public void acquire(String api) {
                acquired.add(target.key() + " " + api);
            }

            @Override
            public void throttled(String api, Duration retryAfter) {
                throttled.add(target.key() + " " + api);
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
