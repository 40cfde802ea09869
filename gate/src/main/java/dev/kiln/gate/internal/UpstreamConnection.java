package dev.kiln.gate.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** One open connection to an upstream, used for one exchange at a time and pooled between them. */
final class UpstreamConnection implements Closeable {

    final Socket socket;
    // The TCP connection under socket (under its TLS, if any): the one place a read can be made without blocking.
    private final SocketChannel channel;
    final InputStream in;
    final OutputStream out;
    final Upstreams.Key key;
    private final SocketRegistry registry;
    private boolean reused;
    private long idleSince;

    UpstreamConnection(Socket socket, SocketChannel channel, Upstreams.Key key, SocketRegistry registry)
            throws IOException {
        this.socket = socket;
        this.channel = channel;
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

    /**
     * Whether this idle connection can carry a request. Between exchanges an HTTP/1.1 connection
     * has nothing to read: its end means the upstream closed it, and anything else there (a TLS
     * close_notify, stray bytes) that the upstream is done with it too. One non-blocking read of the
     * channel tells, without waiting; a byte it takes does not matter, as the connection is then dropped.
     */
    boolean stillOpen() {
        if (socket.isClosed()) {
            return false;
        }
        try {
            if (in.available() > 0) {
                return false;
            }
            channel.configureBlocking(false);
            try {
                return channel.read(ByteBuffer.allocate(1)) == 0;
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException e) {
            return false;
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
