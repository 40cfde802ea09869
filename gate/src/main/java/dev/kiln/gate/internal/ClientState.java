package dev.kiln.gate.internal;

import dev.kiln.gate.GateClient;

/** A client the gate handed out, with what the gate remembers of its calls. */
record ClientState(GateClient client, Attempts attempts) {
}
