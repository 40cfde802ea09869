package dev.kiln.gate.internal;

import dev.kiln.gate.GateEvent;
import dev.kiln.gate.GateEvent.Refusal;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One connection from packer: authenticates each proxy request, then either intercepts
 * ({@code CONNECT} to an intercepted host: the gate's own TLS, then requests relayed one by one),
 * tunnels ({@code CONNECT} to any other host), or relays plain HTTP requests to intercepted hosts.
 */
final class ClientHandler implements Runnable {

    private static final int BUFFER = 16 * 1024;

    private final Context context;
    private final Socket socket;
    private final Function<String, ClientState> authenticate;
    private final Forwarder forwarder;

    ClientHandler(Context context, Socket socket, Function<String, ClientState> authenticate, Forwarder forwarder) {
        this.context = context;
        this.socket = socket;
        this.authenticate = authenticate;
        this.forwarder = forwarder;
    }

    @Override
    public void run() {
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(GateSettings.millis(context.settings().idleTimeout()));
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), BUFFER);
            if (!socket.getInetAddress().isLoopbackAddress()) {
                String message = Messages.notLoopback(socket.getInetAddress().getHostAddress());
                context.reporter().publish(new GateEvent.ClientRefused(Refusal.NOT_LOOPBACK, "", message));
                Replies.write(out, 403, "not-loopback", message, false);
                return;
            }
            InputStream in = new BufferedInputStream(socket.getInputStream(), BUFFER);
            serve(in, out);
        } catch (SocketTimeoutException | SocketException e) {
            // idle, or closed by packer or by the gate closing: both ordinary ends of a connection
        } catch (IOException e) {
            context.reporter().quiet("client connection", e);
        } catch (RuntimeException e) {
            context.reporter().failed("client connection", e);
        } finally {
            context.sockets().close(socket);
        }
    }

    private void serve(InputStream in, OutputStream out) throws IOException {
        while (true) {
            Heads.Request head;
            try {
                head = Heads.readRequest(in);
            } catch (HttpFormatException e) {
                refuse(out, Refusal.BAD_REQUEST, 400, "", Messages.badRequest(e.getMessage()));
                return;
            }
            if (head == null) {
                return;
            }
            ClientState client = authenticate.apply(head.fields().first("Proxy-Authorization"));
            if (client == null) {
                refuse(out, Refusal.UNAUTHENTICATED, 407, "", Messages.unauthenticated());
                return;
            }
            if (head.method().equals("CONNECT")) {
                connect(client, head, in, out);
                return;
            }
            Authority absolute = Authority.ofAbsoluteHttp(head.target());
            if (absolute == null) {
                refuse(out, Refusal.BAD_REQUEST, 400, "", Messages.badRequest(
                        "a proxy request needs an absolute http:// URL or CONNECT"));
                return;
            }
            Boolean intercepted = interceptsOrReply(client, absolute.host(), out);
            if (intercepted == null) {
                return;
            }
            if (!intercepted) {
                refuse(out, Refusal.NOT_INTERCEPTED, 403, absolute.host(), Messages.notIntercepted(absolute.host()));
                return;
            }
            if (!forwarder.relay(client, head, absolute.host(), absolute.port(), false, absolute.target(), in, out)) {
                return;
            }
        }
    }

    private void connect(ClientState client, Heads.Request head, InputStream in, OutputStream out)
            throws IOException {
        Authority authority = Authority.ofConnect(head.target());
        if (authority == null) {
            refuse(out, Refusal.BAD_REQUEST, 400, "", Messages.badRequest("CONNECT needs host:port"));
            return;
        }
        String host = authority.host();
        Boolean intercepted = interceptsOrReply(client, host, out);
        if (intercepted == null) {
            return;
        }
        if (intercepted) {
            intercept(client, host, authority.port(), in, out);
        } else {
            tunnel(client, host, authority.port(), in, out);
        }
    }

    private void intercept(ClientState client, String host, int port, InputStream in, OutputStream out)
            throws IOException {
        SSLContext tls = context.leaves().forHost(host);
        out.write(Replies.CONNECTION_ESTABLISHED);
        out.flush();
        // Bytes packer sent after its CONNECT (it should wait for our answer, but need not) start the handshake.
        byte[] early = in.readNBytes(in.available());
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket, new ByteArrayInputStream(early), true);
        SSLParameters params = ssl.getSSLParameters();
        params.setApplicationProtocols(new String[] {"http/1.1"});
        params.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        ssl.setSSLParameters(params);
        try {
            ssl.startHandshake();
        } catch (SSLException | SocketException e) {
            if (e.getCause() instanceof EOFException) {
                // Gone before a word of TLS: not a certificate packer refused.
                context.reporter().quiet("handshake", e);
            } else {
                // A client that refuses the gate's certificate sends its alert and hangs up; when it
                // hangs up while the gate is still writing its flight, the gate sees a broken pipe
                // rather than the alert, and it is the same refusal.
                String detail = e instanceof SSLException ? e.getMessage()
                        : "the client hung up during the handshake: " + e.getMessage();
                context.reporter().publish(new GateEvent.ClientHandshakeFailed(client.client(), host,
                        Messages.clientHandshake(host, detail)));
            }
            context.sockets().close(ssl);
            return;
        }
        try {
            InputStream tin = new BufferedInputStream(ssl.getInputStream(), BUFFER);
            OutputStream tout = new BufferedOutputStream(ssl.getOutputStream(), BUFFER);
            while (true) {
                Heads.Request request;
                try {
                    request = Heads.readRequest(tin);
                } catch (HttpFormatException e) {
                    refuse(tout, Refusal.BAD_REQUEST, 400, host, Messages.badRequest(e.getMessage()));
                    return;
                }
                if (request == null) {
                    return;
                }
                String target = Authority.originForm(request.target());
                if (target == null) {
                    refuse(tout, Refusal.BAD_REQUEST, 400, host, Messages.badRequest("malformed request target"));
                    return;
                }
                if (!forwarder.relay(client, request, host, port, true, target, tin, tout)) {
                    return;
                }
            }
        } finally {
            context.sockets().close(ssl);
        }
    }

    private void tunnel(ClientState client, String host, int port, InputStream in, OutputStream out)
            throws IOException {
        Target target;
        Socket upstream;
        try {
            target = context.routes().forTunnel(host, port);
            upstream = context.upstreams().openRaw(target, false);
        } catch (UpstreamFailure e) {
            if (context.sockets().closing()) {
                return;
            }
            context.reporter().publish(new GateEvent.UpstreamFailed(client.client(), host, port, e.reason(),
                    e.getMessage()));
            Replies.write(out, 502, e.reason().name().toLowerCase(Locale.ROOT).replace('_', '-'), e.getMessage(),
                    false);
            return;
        } catch (RuntimeException e) {
            hookFailed(client, host, "Router", e, out);
            return;
        }
        context.reporter().tunnelled(host, port);
        out.write(Replies.CONNECTION_ESTABLISHED);
        out.flush();
        byte[] early = in.readNBytes(in.available());
        upstream.getOutputStream().write(early);
        new Tunnel(context, socket, in, upstream).run();
    }

    /** Whether {@code host} is intercepted; null when the policy failed and packer was answered. */
    private Boolean interceptsOrReply(ClientState client, String host, OutputStream out) throws IOException {
        try {
            return context.interception().intercepts(host);
        } catch (RuntimeException e) {
            hookFailed(client, host, "Interception", e, out);
            return null;
        }
    }

    private void hookFailed(ClientState client, String host, String hook, RuntimeException e, OutputStream out)
            throws IOException {
        String message = Messages.hookFailed(hook, host, e);
        context.reporter().publish(new GateEvent.HookFailed(client.client(), host, hook, e, message));
        Replies.write(out, 502, "hook-failed", message, false);
    }

    private void refuse(OutputStream out, Refusal refusal, int status, String host, String message)
            throws IOException {
        context.reporter().publish(new GateEvent.ClientRefused(refusal, host, message));
        Replies.write(out, status, refusal.name().toLowerCase(Locale.ROOT).replace('_', '-'), message, false);
    }
}
