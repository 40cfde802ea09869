package dev.kiln.gate.internal;

import java.util.Locale;

/** The host and port a proxy request names, and the target to send on. */
record Authority(String host, int port, String target) {

    /** {@code host:port} or {@code [v6]:port} of a CONNECT (port 443 when left out); null when malformed. */
    static Authority ofConnect(String authority) {
        return parse(authority, 443, "");
    }

    /** The parts of {@code http://host[:port]/path?query}; null when it is not such a URL. */
    static Authority ofAbsoluteHttp(String target) {
        if (!target.regionMatches(true, 0, "http://", 0, 7)) {
            return null;
        }
        String rest = target.substring(7);
        int end = 0;
        while (end < rest.length() && rest.charAt(end) != '/' && rest.charAt(end) != '?') {
            end++;
        }
        String path = rest.substring(end);
        if (path.isEmpty() || path.startsWith("?")) {
            path = "/" + path;
        }
        return parse(rest.substring(0, end), 80, path);
    }

    /** {@code target} in origin form: as is when it starts with {@code /}, the path of an absolute URL, else null. */
    static String originForm(String target) {
        if (target.startsWith("/")) {
            return target;
        }
        if (target.equals("*")) {
            return target;
        }
        for (String scheme : new String[] {"https://", "http://"}) {
            if (target.regionMatches(true, 0, scheme, 0, scheme.length())) {
                Authority a = ofAbsoluteHttp("http://" + target.substring(scheme.length()));
                return a == null ? null : a.target();
            }
        }
        return null;
    }

    private static Authority parse(String authority, int defaultPort, String target) {
        if (authority.isEmpty() || authority.contains("@")) {
            return null;
        }
        String host;
        String port = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    return null;
                }
                port = after.substring(1);
            }
        } else {
            int colon = authority.lastIndexOf(':');
            if (colon >= 0 && authority.indexOf(':') != colon) {
                return null;
            }
            host = colon < 0 ? authority : authority.substring(0, colon);
            port = colon < 0 ? null : authority.substring(colon + 1);
        }
        if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ' || c >= 127 || c == '/' || c == '\\')) {
            return null;
        }
        int p = defaultPort;
        if (port != null) {
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
                return null;
            }
            p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                return null;
            }
        }
        return new Authority(HostPatterns.normalize(host.toLowerCase(Locale.ROOT)), p, target);
    }
}
