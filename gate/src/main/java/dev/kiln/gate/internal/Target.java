package dev.kiln.gate.internal;

import dev.kiln.gate.UpstreamProxy;

/**
 * Where one request or tunnel goes: the address to connect to, whether TLS is spoken there and the
 * name it is verified against, and the upstream proxy in between, if any.
 *
 * @param origin     the host packer asked for, for messages
 * @param originPort its port
 * @param host       the host to connect to (the origin, or a route's host)
 * @param port       its port
 * @param tls        whether the gate speaks TLS to {@code host}
 * @param proxy      the user's proxy to tunnel through, or null
 * @param pathPrefix the route's path, put before each request's target ("" for none)
 * @param routed     whether a {@link dev.kiln.gate.Router} chose {@code host}
 */
record Target(String origin, int originPort, String host, int port, boolean tls, UpstreamProxy proxy,
              String pathPrefix, boolean routed) {

    /** {@code scheme://host:port} of where the gate connects, for messages. */
    String describe() {
        return (tls ? "https://" : "http://") + authority(host, port);
    }

    static String authority(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
