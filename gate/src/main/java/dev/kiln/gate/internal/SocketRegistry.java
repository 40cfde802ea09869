package dev.kiln.gate.internal;

import java.io.IOException;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every socket the gate has open, so that closing the gate closes them all: a thread blocked in a
 * socket read is freed only by closing its socket, not by an interrupt.
 */
final class SocketRegistry {

    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Registers {@code socket}; closes it at once if the gate is closing. */
    Socket add(Socket socket) throws IOException {
        open.add(socket);
        if (closed) {
            close(socket);
            throw new IOException("the gate is closing");
        }
        return socket;
    }

    /** {@code layered} now stands for {@code raw}, which it closes with itself. */
    void replace(Socket raw, Socket layered) throws IOException {
        open.remove(raw);
        add(layered);
    }

    /** Whether the gate is closing: a connection failing now was closed by the gate itself. */
    boolean closing() {
        return closed;
    }

    void close(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing more can be done with it
        }
    }

    void closeAll() {
        closed = true;
        for (Socket socket : open) {
            close(socket);
        }
    }
}
