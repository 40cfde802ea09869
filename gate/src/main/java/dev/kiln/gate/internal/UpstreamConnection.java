package dev.kiln.gate.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/** One open connection to an upstream, used for one exchange at a time and pooled between them. */
final class UpstreamConnection implements Closeable {

    final Socket socket;
    final InputStream in;
    final OutputStream out;
    final Upstreams.Key key;
    private final SocketRegistry registry;
    private boolean reused;
    private long idleSince;

    UpstreamConnection(Socket socket, Upstreams.Key key, SocketRegistry registry) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
        this.key = key;
        this.registry = registry;
    }

    /**
     * Asks the kernel to acknowledge the answer's first segment at once. An upstream that writes
     * head and body separately without TCP_NODELAY (the JDK's HttpServer, which the emulators use)
     * otherwise holds the body until a delayed ACK comes, 40 ms later.
     */
    void quickAck() {
        try {
            socket.setOption(jdk.net.ExtendedSocketOptions.TCP_QUICKACK, true);
        } catch (IOException | UnsupportedOperationException e) {
            // an optimisation only
        }
    }

    /** Whether this connection carried an exchange before: a failure on it may only mean the upstream closed it idle. */
    boolean reused() {
        return reused;
    }

    void parked(long nanos) {
        reused = true;
        idleSince = nanos;
    }

    long idleSince() {
        return idleSince;
    }

    @Override
    public void close() {
        registry.close(socket);
    }
}
