package dev.kiln.gate.internal;

import dev.kiln.gate.GateBody;
import dev.kiln.gate.GateEvent;
import dev.kiln.gate.GateEvent.Cause;
import dev.kiln.gate.GateHeaders;
import dev.kiln.gate.GateRequest;
import dev.kiln.gate.GateResponse;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

/**
 * Relays one intercepted request: reads it from packer, lets the meter hold it, sends it upstream
 * and streams the answer back. Bodies keep the framing packer gave them (a signed
 * {@code Content-Length} stays as it was); an answer delimited by the upstream closing reaches
 * packer chunked, so packer's connection stays open.
 */
final class Forwarder {

    private static final int ERROR_BODY_BYTES = 64 * 1024;
    // RFC 9110 9.2.2: sent twice, these mean what they mean sent once. Any other method (every EC2
    // Query call is a POST) is sent again only when it never reached the upstream whole.
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
    private static final int COPY_BUFFER = 16 * 1024;

    private final Context context;

    Forwarder(Context context) {
        this.context = context;
    }

    /** A failure reading from or writing to packer's side: nothing can be answered any more. */
    private static final class ClientGone extends IOException {
        private static final long serialVersionUID = 1L;

        ClientGone(IOException cause) {
            super(cause);
        }
    }

    /**
     * Relays {@code head}, whose body (if any) follows on {@code clientIn}.
     *
     * @param host the host packer asked for; {@code port} its port
     * @param tls  whether packer spoke TLS to the gate (CONNECT) rather than plain HTTP
     * @return whether packer's connection may carry another request
     */
    boolean relay(ClientState client, Heads.Request head, String host, int port, boolean tls, String target,
                  InputStream clientIn, OutputStream clientOut) throws IOException {
        Fields fields = head.fields();
        Bodies.Framing framing;
        long length;
        try {
            framing = Bodies.requestFraming(fields);
            length = framing == Bodies.Framing.FIXED ? Bodies.contentLength(fields) : -1;
        } catch (HttpFormatException e) {
            refuse(clientOut, host, e.getMessage());
            return false;
        }
        if (fields.hasToken("Expect", "100-continue")) {
            // The gate needs the body before the meter sees the request, so it invites it itself.
            fields.remove("Expect");
            if (framing != Bodies.Framing.NONE) {
                clientOut.write(Replies.CONTINUE);
                clientOut.flush();
            }
        }
        InputStream body = Bodies.reader(clientIn, framing, length);
        int max = context.settings().maxBufferedBody();
        byte[] prefix;
        int pending = -1;
        try {
            prefix = body.readNBytes(max);
            if (prefix.length == max && framing != Bodies.Framing.NONE) {
                pending = body.read();
            }
        } catch (HttpFormatException e) {
            refuse(clientOut, host, e.getMessage());
            return false;
        }
        boolean complete = pending < 0;

        fields.remove("Proxy-Authorization");
        GateHeaders headers = fields.toHeaders();
        long fingerprint = Attempts.fingerprint(head.method(), host, target, prefix);
        int attempt = client.attempts().attemptOf(fingerprint, headers);
        GateRequest request = new GateRequest(client.client(), head.method(), host, port, target, headers,
                GateBody.of(prefix, !complete), attempt);

        long start = context.time().nanoTime();
        try {
            context.meter().before(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            String message = Messages.hookFailed("Meter.before", host, e);
            context.reporter().publish(new GateEvent.HookFailed(client.client(), host, "Meter.before", e, message));
            Replies.write(clientOut, 502, "hook-failed", message, complete && head.keepAlive());
            return complete && head.keepAlive();
        }
        long sent = context.time().nanoTime();
        Duration held = Duration.ofNanos(sent - start);

        Target upstream;
        try {
            upstream = context.routes().forRequest(host, port, tls);
        } catch (UpstreamFailure e) {
            return failed(client, request, fingerprint, held, sent, e, clientOut, complete && head.keepAlive());
        } catch (RuntimeException e) {
            String message = Messages.hookFailed("Router", host, e);
            context.reporter().publish(new GateEvent.HookFailed(client.client(), host, "Router", e, message));
            Replies.write(clientOut, 502, "hook-failed", message, complete && head.keepAlive());
            return complete && head.keepAlive();
        }

        fields.removeHopByHop();
        if (fields.first("Host") == null) {
            fields.add("Host", port == (tls ? 443 : 80) ? host : Target.authority(host, port));
        }
        if (framing == Bodies.Framing.CHUNKED) {
            fields.add("Transfer-Encoding", "chunked");
        }
        String requestTarget;
        if (upstream.proxy() != null && !upstream.tls()) {
            requestTarget = "http://" + Target.authority(upstream.host(), upstream.port()) + target;
            upstream.proxy().authorization().ifPresent(a -> fields.add("Proxy-Authorization", a));
        } else {
            requestTarget = upstream.pathPrefix() + target;
        }
        byte[] requestHead = (head.method() + " " + requestTarget + " HTTP/1.1\r\n").getBytes(
                StandardCharsets.ISO_8859_1);

        UpstreamConnection connection;
        Heads.Response response;
        for (boolean resent = false; ; resent = true) {
            try {
                connection = context.upstreams().acquire(upstream);
            } catch (UpstreamFailure e) {
                return failed(client, request, fingerprint, held, sent, e, clientOut, complete && head.keepAlive());
            }
            boolean written = false;
            boolean answered = false;
            try {
                connection.out.write(requestHead);
                fields.writeTo(connection.out);
                connection.out.write('\r');
                connection.out.write('\n');
                sendBody(connection.out, framing, prefix, pending, body);
                connection.out.flush();
                written = true;
                connection.quickAck();
                awaitAnswer(connection.in);
                answered = true;
                response = finalResponse(connection.in);
                break;
            } catch (ClientGone e) {
                connection.close();
                return false;
            } catch (IOException e) {
                connection.close();
                if (context.sockets().closing()) {
                    // The gate closed this connection itself: nothing is sent again, nothing went wrong.
                    return false;
                }
                if (!resent && maySendAgain(connection, complete, head.method(), e, written, answered)) {
                    context.reporter().resent(head.method(), host, request.path(), describe(e));
                    continue;
                }
                return failed(client, request, fingerprint, held, sent, failure(upstream, head.method(), e, written),
                        clientOut, complete && head.keepAlive());
            }
        }
        return answer(client, request, fingerprint, head, held, sent, upstream, connection, response, clientOut);
    }

    /**
     * Whether a request that failed on {@code connection} may go once more, on a new one. Only if
     * the connection was pooled (the upstream may have closed it as the gate took it; a new one
     * failing says the upstream is broken) and the whole body is at hand; and only if the upstream
     * cannot have acted on it (its write failed, so it never arrived whole), or sending it twice
     * means what sending it once does and no byte of an answer came. Never after a timeout: the
     * upstream may still be at work on it.
     */
    private static boolean maySendAgain(UpstreamConnection connection, boolean complete, String method, IOException e,
                                        boolean written, boolean answered) {
        if (!connection.reused() || !complete || e instanceof SocketTimeoutException) {
            return false;
        }
        return !written || (!answered && IDEMPOTENT.contains(method));
    }

    private UpstreamFailure failure(Target upstream, String method, IOException e, boolean written) {
        if (e instanceof SocketTimeoutException) {
            return new UpstreamFailure(Cause.TIMEOUT, Messages.timeout(upstream, context.settings().responseTimeout()));
        }
        return new UpstreamFailure(Cause.BROKEN, written && !IDEMPOTENT.contains(method)
                ? Messages.sentUnanswered(upstream, method, describe(e)) : Messages.broken(upstream, describe(e)));
    }

    private boolean answer(ClientState client, GateRequest request, long fingerprint, Heads.Request head,
                           Duration held, long sent, Target upstream, UpstreamConnection connection,
                           Heads.Response response, OutputStream clientOut) throws IOException {
        Fields fields = response.fields();
        Bodies.Framing framing;
        long length;
        try {
            framing = Bodies.responseFraming(head.method(), response.status(), fields);
            length = framing == Bodies.Framing.FIXED ? Bodies.contentLength(fields) : -1;
        } catch (HttpFormatException e) {
            connection.close();
            return failed(client, request, fingerprint, held, sent,
                    new UpstreamFailure(Cause.BROKEN, Messages.broken(upstream, e.getMessage())), clientOut,
                    !request.body().truncated() && head.keepAlive());
        }
        boolean upstreamReusable = framing != Bodies.Framing.UNTIL_CLOSE && response.version().equals("HTTP/1.1")
                && !fields.hasToken("Connection", "close");
        GateHeaders headers = fields.toHeaders();
        fields.removeHopByHop();
        Bodies.Framing toClient = framing == Bodies.Framing.UNTIL_CLOSE ? Bodies.Framing.CHUNKED : framing;
        if (toClient == Bodies.Framing.CHUNKED) {
            fields.remove("Content-Length");
            fields.add("Transfer-Encoding", "chunked");
        }
        boolean keepAlive = head.keepAlive();
        if (!keepAlive) {
            fields.add("Connection", "close");
        }
        ByteArrayOutputStream errorBody = response.status() >= 400 ? new ByteArrayOutputStream() : null;
        try {
            try {
                clientOut.write(("HTTP/1.1 " + response.status() + " " + response.reason() + "\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                fields.writeTo(clientOut);
                clientOut.write('\r');
                clientOut.write('\n');
            } catch (IOException e) {
                throw new ClientGone(e);
            }
            InputStream body = Bodies.reader(connection.in, framing, length);
            if (toClient == Bodies.Framing.CHUNKED) {
                Bodies.ChunkedOutput chunked = new Bodies.ChunkedOutput(clientOut);
                copy(body, chunked, clientOut, errorBody);
                try {
                    chunked.finish();
                } catch (IOException e) {
                    throw new ClientGone(e);
                }
            } else {
                copy(body, clientOut, clientOut, errorBody);
            }
            try {
                clientOut.flush();
            } catch (IOException e) {
                throw new ClientGone(e);
            }
        } catch (ClientGone e) {
            connection.close();
            finish(client, request, fingerprint, response.status(), headers, held, sent, errorBody, false);
            return false;
        } catch (IOException e) {
            // Packer already has the head: the only way left to tell it is to close its connection.
            connection.close();
            if (context.sockets().closing()) {
                return false;
            }
            context.reporter().publish(new GateEvent.UpstreamFailed(client.client(), request.host(), request.port(),
                    Cause.BROKEN, Messages.broken(upstream, describe(e))));
            finish(client, request, fingerprint, response.status(), headers, held, sent, errorBody, false);
            return false;
        }
        if (upstreamReusable) {
            context.upstreams().release(connection);
        } else {
            connection.close();
        }
        finish(client, request, fingerprint, response.status(), headers, held, sent, errorBody, false);
        return keepAlive;
    }

    private boolean failed(ClientState client, GateRequest request, long fingerprint, Duration held, long sent,
                           UpstreamFailure failure, OutputStream clientOut, boolean keepAlive) throws IOException {
        if (context.sockets().closing()) {
            // The gate's own closing failed the call (it closed the connections, it refuses new ones):
            // packer's connection is gone too, and nothing went wrong upstream.
            return false;
        }
        context.reporter().publish(new GateEvent.UpstreamFailed(client.client(), request.host(), request.port(),
                failure.reason(), failure.getMessage()));
        boolean open = keepAlive && !request.body().truncated();
        try {
            Replies.write(clientOut, 502, failure.reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                    failure.getMessage(), open);
        } finally {
            finish(client, request, fingerprint, 502, GateHeaders.empty(), held, sent, null, true);
        }
        return open;
    }

    private void finish(ClientState client, GateRequest request, long fingerprint, int status, GateHeaders headers,
                        Duration held, long sent, ByteArrayOutputStream errorBody, boolean byGate) {
        Duration elapsed = Duration.ofNanos(context.time().nanoTime() - sent);
        client.attempts().answered(fingerprint, request.attempt(), status, byGate);
        context.reporter().exchanged(request.method(), request.host(), request.path(), status, held.toMillis(),
                elapsed.toMillis());
        GateBody error = errorBody == null ? GateBody.empty() : GateBody.of(errorBody.toByteArray(),
                errorBody.size() >= ERROR_BODY_BYTES);
        GateResponse response = new GateResponse(status, headers, held, elapsed, error, byGate);
        try {
            context.meter().after(request, response);
        } catch (RuntimeException e) {
            context.reporter().publish(new GateEvent.HookFailed(client.client(), request.host(), "Meter.after", e,
                    Messages.hookFailed("Meter.after", request.host(), e)));
        }
    }

    private void refuse(OutputStream clientOut, String host, String detail) throws IOException {
        String message = Messages.badRequest(detail);
        context.reporter().publish(new GateEvent.ClientRefused(GateEvent.Refusal.BAD_REQUEST, host, message));
        Replies.write(clientOut, 400, "bad-request", message, false);
    }

    private static void sendBody(OutputStream upstream, Bodies.Framing framing, byte[] prefix, int pending,
                                 InputStream rest) throws IOException {
        if (framing == Bodies.Framing.NONE) {
            return;
        }
        Bodies.ChunkedOutput chunked = framing == Bodies.Framing.CHUNKED ? new Bodies.ChunkedOutput(upstream) : null;
        OutputStream out = chunked != null ? chunked : upstream;
        out.write(prefix);
        if (pending >= 0) {
            out.write(pending);
            byte[] buffer = new byte[COPY_BUFFER];
            while (true) {
                int n;
                try {
                    n = rest.read(buffer);
                } catch (IOException e) {
                    throw new ClientGone(e);
                }
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
            }
        }
        if (chunked != null) {
            chunked.finish();
        }
    }

    /**
     * Waits for the first byte of the answer and leaves it to be read: whether any byte came decides
     * whether an idempotent request may be sent again.
     */
    private static void awaitAnswer(InputStream in) throws IOException {
        in.mark(1);
        if (in.read() < 0) {
            throw new EOFException("the upstream closed the connection without answering");
        }
        in.reset();
    }

    /** The first answer that is not informational; an upgrade is refused. */
    private static Heads.Response finalResponse(InputStream in) throws IOException {
        while (true) {
            Heads.Response response = Heads.readResponse(in);
            if (response.status() == 101) {
                throw new HttpFormatException("the upstream switched protocols, which the gate does not relay");
            }
            if (response.status() >= 200) {
                return response;
            }
        }
    }

    /**
     * Copies the upstream's body to packer, flushing whenever the upstream has nothing more at hand
     * (a slow stream reaches packer as it comes), keeping the first bytes of an error body.
     */
    private static void copy(InputStream from, OutputStream to, OutputStream flushable, ByteArrayOutputStream keep)
            throws IOException {
        byte[] buffer = new byte[COPY_BUFFER];
        while (true) {
            int n = from.read(buffer);
            if (n < 0) {
                return;
            }
            if (keep != null && keep.size() < ERROR_BODY_BYTES) {
                keep.write(buffer, 0, Math.min(n, ERROR_BODY_BYTES - keep.size()));
            }
            try {
                to.write(buffer, 0, n);
                if (from.available() == 0) {
                    flushable.flush();
                }
            } catch (IOException e) {
                throw new ClientGone(e);
            }
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
