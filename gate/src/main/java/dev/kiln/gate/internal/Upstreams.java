package dev.kiln.gate.internal;

import dev.kiln.gate.GateEvent.Cause;
import dev.kiln.gate.UpstreamProxy;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Opens connections to upstreams (directly, or through the user's proxy with {@code CONNECT}),
 * speaks TLS to them with host name verification, and keeps idle ones for reuse: a TLS handshake
 * per call would cost more than everything else the gate does.
 */
final class Upstreams {

    /** Connections are interchangeable when they reach the same place the same way. */
    record Key(String host, int port, boolean tls, UpstreamProxy proxy) {
    }

    private static final int MAX_IDLE_PER_KEY = 32;
    // Below the idle timeouts of the servers the gate talks to (the JDK's HttpServer: 30 s; cloud API
    // front ends: a minute or more), so that a pooled connection is rarely taken just as its upstream
    // closes it, a close the check before reuse cannot see yet.
    private static final Duration MAX_IDLE = Duration.ofSeconds(20);

    private final SSLSocketFactory tls;
    private final TimeSource time;
    private final SocketRegistry registry;
    private final Duration connectTimeout;
    private final Duration responseTimeout;
    private final Map<Key, Deque<UpstreamConnection>> idle = new ConcurrentHashMap<>();

    Upstreams(SSLSocketFactory tls, TimeSource time, SocketRegistry registry, Duration connectTimeout,
              Duration responseTimeout) {
        this.tls = tls;
        this.time = time;
        this.registry = registry;
        this.connectTimeout = connectTimeout;
        this.responseTimeout = responseTimeout;
    }

    /** An idle connection to {@code target}'s upstream that is still open, or a new one. */
    UpstreamConnection acquire(Target target) throws UpstreamFailure {
        Key key = keyOf(target);
        Deque<UpstreamConnection> parked = idle.get(key);
        if (parked != null) {
            long now = time.nanoTime();
            UpstreamConnection c;
            while ((c = parked.pollFirst()) != null) {
                if (now - c.idleSince() < MAX_IDLE.toNanos() && c.stillOpen()) {
                    return c;
                }
                c.close();
            }
        }
        return open(target);
    }

    /** Parks {@code connection} for reuse; it must be between exchanges. */
    void release(UpstreamConnection connection) {
        Deque<UpstreamConnection> parked = idle.computeIfAbsent(connection.key, k -> new ConcurrentLinkedDeque<>());
        connection.parked(time.nanoTime());
        if (parked.size() >= MAX_IDLE_PER_KEY) {
            connection.close();
        } else {
            parked.offerFirst(connection);
        }
    }

    /** A new connection to {@code target}'s upstream, TLS established when it speaks TLS. */
    UpstreamConnection open(Target target) throws UpstreamFailure {
        Socket socket = openRaw(target, !target.tls() && target.proxy() != null);
        SocketChannel channel = socket.getChannel();
        try {
            if (target.tls()) {
                socket = handshake(socket, target);
            }
            return new UpstreamConnection(socket, channel, keyOf(target), registry);
        } catch (UpstreamFailure e) {
            registry.close(socket);
            throw e;
        } catch (IOException e) {
            registry.close(socket);
            throw new UpstreamFailure(Cause.BROKEN, Messages.broken(target, e.toString()));
        }
    }

    /**
     * A TCP connection to {@code target}'s host and port, through the proxy's {@code CONNECT} when
     * there is a proxy, unless {@code proxyForm}: then a plain connection to the proxy itself, which
     * takes absolute-form requests.
     */
    Socket openRaw(Target target, boolean proxyForm) throws UpstreamFailure {
        UpstreamProxy proxy = target.proxy();
        String host = proxy == null ? target.host() : proxy.host();
        int port = proxy == null ? target.port() : proxy.port();
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw proxy == null ? new UpstreamFailure(Cause.UNKNOWN_HOST, Messages.unknownHost(target))
                    : new UpstreamFailure(Cause.CONNECT_FAILED, Messages.proxyUnreachable(target,
                    "cannot resolve " + host));
        }
        Socket socket;
        try {
            // A channel's socket: a pooled connection is checked through its channel without blocking.
            socket = SocketChannel.open().socket();
        } catch (IOException e) {
            throw new UpstreamFailure(Cause.CONNECT_FAILED, Messages.connectFailed(target, e.getMessage()));
        }
        try {
            registry.add(socket);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(GateSettings.millis(responseTimeout));
            socket.connect(address, GateSettings.millis(connectTimeout));
        } catch (SocketTimeoutException e) {
            registry.close(socket);
            throw new UpstreamFailure(Cause.TIMEOUT, Messages.timeout(target, connectTimeout));
        } catch (IOException e) {
            registry.close(socket);
            throw new UpstreamFailure(Cause.CONNECT_FAILED, proxy == null ? Messages.connectFailed(target,
                    e.getMessage()) : Messages.proxyUnreachable(target, e.getMessage()));
        }
        if (proxy != null && !proxyForm) {
            try {
                proxyConnect(socket, target, proxy);
            } catch (UpstreamFailure e) {
                registry.close(socket);
                throw e;
            } catch (SocketTimeoutException e) {
                registry.close(socket);
                throw new UpstreamFailure(Cause.TIMEOUT, Messages.timeout(target, responseTimeout));
            } catch (IOException e) {
                registry.close(socket);
                throw new UpstreamFailure(Cause.CONNECT_FAILED, Messages.proxyUnreachable(target, e.toString()));
            }
        }
        return socket;
    }

    private static void proxyConnect(Socket socket, Target target, UpstreamProxy proxy) throws IOException {
        String authority = Target.authority(target.host(), target.port());
        StringBuilder request = new StringBuilder("CONNECT ").append(authority).append(" HTTP/1.1\r\nHost: ")
                .append(authority).append("\r\n");
        proxy.authorization().ifPresent(a -> request.append("Proxy-Authorization: ").append(a).append("\r\n"));
        request.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        // Unbuffered on purpose: the bytes after the proxy's answer belong to the TLS handshake.
        InputStream in = socket.getInputStream();
        Heads.Response response = Heads.readResponse(in);
        if (response.status() / 100 != 2) {
            throw new UpstreamFailure(Cause.PROXY_REFUSED,
                    Messages.proxyRefused(target, response.status(), response.reason()));
        }
        if (Bodies.contentLength(response.fields()) > 0 || response.fields().first("Transfer-Encoding") != null) {
            throw new UpstreamFailure(Cause.PROXY_REFUSED, Messages.proxyRefused(target, response.status(),
                    response.reason() + ", with a body where a tunnel should start"));
        }
    }

    private Socket handshake(Socket socket, Target target) throws IOException {
        SSLSocket ssl = (SSLSocket) tls.createSocket(socket, target.host(), target.port(), true);
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        params.setApplicationProtocols(new String[] {"http/1.1"});
        if (!target.host().contains(":") && !target.host().chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
            params.setServerNames(java.util.List.of(new SNIHostName(target.host())));
        }
        ssl.setSSLParameters(params);
        try {
            registry.replace(socket, ssl);
            ssl.startHandshake();
            return ssl;
        } catch (SocketTimeoutException e) {
            registry.close(ssl);
            throw new UpstreamFailure(Cause.TIMEOUT, Messages.timeout(target, responseTimeout));
        } catch (SSLException e) {
            registry.close(ssl);
            throw new UpstreamFailure(Cause.UPSTREAM_TLS, Messages.upstreamTls(target, e.getMessage()));
        }
    }

    void closeIdle() {
        idle.values().forEach(parked -> {
            UpstreamConnection c;
            while ((c = parked.pollFirst()) != null) {
                c.close();
            }
        });
    }

    private static Key keyOf(Target target) {
        return new Key(target.host(), target.port(), target.tls(), target.proxy());
    }
}
