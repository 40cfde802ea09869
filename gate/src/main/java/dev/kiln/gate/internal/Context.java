package dev.kiln.gate.internal;

import dev.kiln.gate.Interception;
import dev.kiln.gate.Meter;
import dev.kiln.time.TimeSource;
import java.util.concurrent.ExecutorService;

/** What a gate's connections share. */
record Context(GateSettings settings, TimeSource time, Interception interception, Meter meter, Routes routes,
               Upstreams upstreams, LeafContexts leaves, Reporter reporter, SocketRegistry sockets,
               ExecutorService pool) {
}
