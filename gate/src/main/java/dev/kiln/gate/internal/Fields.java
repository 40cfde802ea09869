package dev.kiln.gate.internal;

import dev.kiln.gate.GateHeaders;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Header fields of one message being relayed: mutable, ordered, names compared without case. */
final class Fields {

    private final List<String> names = new ArrayList<>(16);
    private final List<String> values = new ArrayList<>(16);

    void add(String name, String value) {
        names.add(name);
        values.add(value);
    }

    String first(String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                return values.get(i);
            }
        }
        return null;
    }

    List<String> all(String name) {
        List<String> found = new ArrayList<>(1);
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                found.add(values.get(i));
            }
        }
        return found;
    }

    void remove(String name) {
        for (int i = names.size() - 1; i >= 0; i--) {
            if (names.get(i).equalsIgnoreCase(name)) {
                names.remove(i);
                values.remove(i);
            }
        }
    }

    /** Whether a comma-separated field (Connection, Transfer-Encoding) holds {@code token}. */
    boolean hasToken(String name, String token) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                for (String part : values.get(i).split(",")) {
                    if (part.trim().equalsIgnoreCase(token)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Removes the hop-by-hop fields (RFC 9110 7.6.1) and those {@code Connection} names: they
     * concern one connection, and the gate frames each side's connection itself.
     */
    void removeHopByHop() {
        List<String> named = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase("Connection")) {
                for (String part : values.get(i).split(",")) {
                    if (!part.isBlank()) {
                        named.add(part.trim());
                    }
                }
            }
        }
        named.forEach(this::remove);
        for (String hop : List.of("Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization",
                "Proxy-Authenticate", "TE", "Trailer", "Transfer-Encoding", "Upgrade")) {
            remove(hop);
        }
    }

    GateHeaders toHeaders() {
        GateHeaders.Builder builder = GateHeaders.builder();
        for (int i = 0; i < names.size(); i++) {
            builder.add(names.get(i), values.get(i));
        }
        return builder.build();
    }

    void writeTo(OutputStream out) throws IOException {
        for (int i = 0; i < names.size(); i++) {
            out.write(names.get(i).getBytes(StandardCharsets.ISO_8859_1));
            out.write(':');
            out.write(' ');
            out.write(values.get(i).getBytes(StandardCharsets.ISO_8859_1));
            out.write('\r');
            out.write('\n');
        }
    }
}
