package dev.kiln.gate;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One client of the gate, normally one packer build: a name chosen by the caller (the build's id)
 * and a secret token the gate hands out with it. The token goes into the proxy URL of that build's
 * environment ({@link Gate#env(GateClient)}), so every request the gate sees is attributed to the
 * build that made it, and a process that does not know a token is refused with 407.
 *
 * <p>{@link #toString()} shows the name only; the token never reaches a log through this object.
 */
public final class GateClient {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_NAME = 200;

    private final String name;
    private final String token;

    private GateClient(String name, String token) {
        this.name = name;
        this.token = token;
    }

    /**
     * A client with a fresh random token. Only clients handed out by {@link Gate#newClient(String)}
     * are accepted by a gate; this factory is for tests of {@link Meter}s and classifiers.
     *
     * @param name printable, 1 to 200 characters, no control characters
     */
    public static GateClient create(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
            throw new GateException("gate client name '" + name.replaceAll("\\p{Cntrl}", "?")
                    + "' is not allowed: use 1 to " + MAX_NAME + " printable characters (a build's id)");
        }
        byte[] secret = new byte[16];
        RANDOM.nextBytes(secret);
        return new GateClient(name, HexFormat.of().formatHex(secret));
    }

    /** The caller's name for this client, e.g. the build's id. Not secret. */
    public String name() {
        return name;
    }

    /** The secret that authenticates this client: 32 hex digits. Keep it out of logs. */
    public String token() {
        return token;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GateClient other && token.equals(other.token);
    }

    @Override
    public int hashCode() {
        return token.hashCode();
    }

    @Override
    public String toString() {
        return "GateClient[" + name + "]";
    }
}
