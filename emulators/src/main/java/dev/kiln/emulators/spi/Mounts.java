package dev.kiln.emulators.spi;

import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * What answers a request on an emulator's port (the admin API aside): the first handler whose test
 * accepts it, by path, header or {@code Host}, else the last resort. Each protocol of an emulator
 * is one mount of its {@link EmulatorBase#pipeline pipeline}; endpoints outside any protocol (a
 * token endpoint, a 404 page) are plain handlers.
 */
public final class Mounts implements EmulatorServer.Handler {

    private record Mount(Predicate<Request> test, EmulatorServer.Handler handler) {
    }

    private final List<Mount> mounts;
    private final EmulatorServer.Handler otherwise;

    private Mounts(List<Mount> mounts, EmulatorServer.Handler otherwise) {
        this.mounts = List.copyOf(mounts);
        this.otherwise = otherwise;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Response handle(Request request) throws Exception {
        for (Mount m : mounts) {
            if (m.test.test(request)) {
                return m.handler.handle(request);
            }
        }
        return otherwise.handle(request);
    }

    /** Mounts in the order they are tried. */
    public static final class Builder {
        private final List<Mount> mounts = new ArrayList<>();

        private Builder() {
        }

        /** Requests {@code test} accepts go to {@code handler}. */
        public Builder when(Predicate<Request> test, EmulatorServer.Handler handler) {
            mounts.add(new Mount(Objects.requireNonNull(test, "test"), Objects.requireNonNull(handler, "handler")));
            return this;
        }

        /** Every request no mount took goes to {@code handler}. */
        public Mounts otherwise(EmulatorServer.Handler handler) {
            return new Mounts(mounts, Objects.requireNonNull(handler, "handler"));
        }
    }
}
