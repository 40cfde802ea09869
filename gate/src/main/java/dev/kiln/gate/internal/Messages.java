package dev.kiln.gate.internal;

import java.time.Duration;

/**
 * Every line the gate says to packer, to Kiln (events) and to the log, in one place. Each names
 * the host and what to do; none holds a token, a header value, a query or a body.
 */
final class Messages {

    private static final String PREFIX = "kiln gate: ";

    private Messages() {
    }

    static String unknownHost(Target t) {
        return PREFIX + "cannot resolve " + t.host() + via(t) + "; check the host name in the template"
                + (t.routed() ? " or the route" : ", or route the host to an emulator");
    }

    static String connectFailed(Target t, String detail) {
        return PREFIX + "cannot connect to " + Target.authority(t.host(), t.port()) + via(t) + " (" + detail
                + "); check that it is reachable from this machine";
    }

    static String proxyUnreachable(Target t, String detail) {
        return PREFIX + "cannot connect to the upstream proxy " + t.proxy() + " for " + t.origin() + " (" + detail
                + "); check HTTPS_PROXY in Kiln's environment";
    }

    static String proxyRefused(Target t, int status, String reason) {
        return PREFIX + "the upstream proxy " + t.proxy() + " refused CONNECT " + Target.authority(t.host(), t.port())
                + " with " + status + " " + Heads.printable(reason)
                + (status == 407 ? "; put the proxy's credentials in HTTPS_PROXY (http://user:password@host:port)"
                : "; ask for " + t.host() + " to be allowed through the proxy, or add it to NO_PROXY");
    }

    static String upstreamTls(Target t, String detail) {
        return PREFIX + "TLS with " + t.describe() + via(t) + " failed (" + detail + "); if a proxy or firewall"
                + " re-signs HTTPS, add its CA to the trust store Kiln's JVM uses (javax.net.ssl.trustStore)";
    }

    static String timeout(Target t, Duration timeout) {
        return PREFIX + t.describe() + via(t) + " did not answer within " + timeout + "; check that it is reachable"
                + " from this machine, or raise the gate's timeouts";
    }

    static String broken(Target t, String detail) {
        return PREFIX + "the connection to " + t.describe() + " for " + t.origin() + " broke (" + detail
                + "); the call may be retried";
    }

    static String sentUnanswered(Target t, String method, String detail) {
        return PREFIX + "the connection to " + t.describe() + " for " + t.origin() + " broke after " + method
                + " was sent (" + detail + "); the gate does not send it again, as the upstream may have acted on it";
    }

    static String badRoute(String host, String problem) {
        return PREFIX + "the route for " + host + " is " + problem;
    }

    static String hookFailed(String hook, String host, RuntimeException e) {
        return PREFIX + "Kiln's " + hook + " failed for " + host + " (" + e.getClass().getName()
                + "); see Kiln's own report";
    }

    static String unauthenticated() {
        return PREFIX + "proxy authentication required: run packer with the HTTPS_PROXY Kiln gave this build"
                + " (its token is missing, unknown or revoked)";
    }

    static String notIntercepted(String host) {
        return PREFIX + "plain HTTP to " + host + " is not forwarded: only the provider API hosts Kiln intercepts"
                + " are; use https://";
    }

    static String notLoopback(String address) {
        return PREFIX + "refused a connection from " + address + ": the gate serves this machine's loopback only";
    }

    static String badRequest(String detail) {
        return PREFIX + "bad request (" + detail + "); the gate speaks HTTP/1.1 proxy requests: CONNECT host:port,"
                + " or an absolute http:// URL";
    }

    static String busy(int threads) {
        return PREFIX + "all " + threads + " of its threads are busy; raise Gate.Builder.threads or run fewer"
                + " builds at once";
    }

    static String clientHandshake(String host, String detail) {
        return PREFIX + "packer did not complete TLS with the gate for " + host + " (" + detail + "); run packer"
                + " with the SSL_CERT_FILE Kiln gave it";
    }

    private static String via(Target t) {
        return t.proxy() == null ? "" : " (through the upstream proxy " + t.proxy() + ")";
    }
}
