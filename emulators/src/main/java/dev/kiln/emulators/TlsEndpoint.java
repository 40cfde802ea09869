package dev.kiln.emulators;

import java.net.URI;
import java.util.Objects;

/**
 * An emulator's HTTPS listener: where clients that insist on TLS reach it (azure-identity, MSAL,
 * anything verifying certificates), and the CA whose certificate they must trust. It answers
 * exactly what the plain {@link Emulator#endpoint()} answers, over the same state, limits and journal.
 *
 * @param endpoint e.g. {@code https://127.0.0.1:40124}
 * @param ca       the CA that issued the listener's certificate
 */
public record TlsEndpoint(URI endpoint, TestCa ca) {

    public TlsEndpoint {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(ca, "ca");
    }
}
