package dev.kiln.gate.internal;

import dev.kiln.gate.GateEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies bytes both ways between packer and a host the gate does not intercept. The TLS inside is
 * packer's and the host's; the gate sees neither names nor content beyond the {@code CONNECT}.
 * One direction runs on the connection's thread, the other on a second thread of the pool; the
 * tunnel is idle, and closed, only when neither direction moved a byte for the idle timeout.
 */
final class Tunnel {

    private final Context context;
    private final Socket client;
    private final InputStream clientIn;
    private final Socket upstream;
    private final AtomicLong lastActivity;

    Tunnel(Context context, Socket client, InputStream clientIn, Socket upstream) {
        this.context = context;
        this.client = client;
        this.clientIn = clientIn;
        this.upstream = upstream;
        this.lastActivity = new AtomicLong(context.time().nanoTime());
    }

    /** Runs until both directions ended; closes the upstream socket. */
    void run() throws IOException {
        try {
            int idle = GateSettings.millis(context.settings().idleTimeout());
            upstream.setSoTimeout(idle);
            OutputStream toClient = client.getOutputStream();
            Future<?> back;
            try {
                back = context.pool().submit(() -> pump(upstream.getInputStream(), toClient, client));
            } catch (RejectedExecutionException e) {
                context.reporter().publish(new GateEvent.ClientRefused(GateEvent.Refusal.BUSY, "",
                        Messages.busy(context.settings().threads())));
                return;
            }
            pump(clientIn, upstream.getOutputStream(), upstream);
            try {
                back.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                context.reporter().quiet("tunnel", e);
            }
        } finally {
            context.sockets().close(upstream);
        }
    }

    /** Copies until {@code from} ends, then half-closes {@code toSocket} so the peer sees the end too. */
    private Void pump(InputStream from, OutputStream to, Socket toSocket) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        long idleNanos = context.settings().idleTimeout().toNanos();
        try {
            while (true) {
                int n;
                try {
                    n = from.read(buffer);
                } catch (SocketTimeoutException e) {
                    if (context.time().nanoTime() - lastActivity.get() < idleNanos) {
                        continue;
                    }
                    throw e;
                }
                if (n < 0) {
                    break;
                }
                to.write(buffer, 0, n);
                to.flush();
                lastActivity.set(context.time().nanoTime());
            }
            if (!toSocket.isClosed() && !toSocket.isOutputShutdown()) {
                toSocket.shutdownOutput();
            }
        } catch (IOException e) {
            // One side failed or went idle: end both, so the other pump returns too.
            context.sockets().close(client);
            context.sockets().close(upstream);
        }
        return null;
    }
}
