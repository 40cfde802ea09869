package dev.kiln.gate.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A {@code NO_PROXY} list, read as Go's {@code httpproxy} reads it (CIDR ranges aside). */
public final class NoProxy {

    private record Entry(String domain, boolean subdomainsOnly, int port) {
    }

    private final boolean all;
    private final List<Entry> entries;

    private NoProxy(boolean all, List<Entry> entries) {
        this.all = all;
        this.entries = entries;
    }

    /** Parses a comma-separated list. */
    public static NoProxy parse(String list) {
        boolean all = false;
        List<Entry> entries = new ArrayList<>();
        for (String raw : list.split(",")) {
            String e = raw.trim().toLowerCase(Locale.ROOT);
            if (e.isEmpty()) {
                continue;
            }
            if (e.equals("*")) {
                all = true;
                continue;
            }
            int port = 0;
            int colon = e.lastIndexOf(':');
            if (colon > 0 && e.indexOf(':') == colon && e.substring(colon + 1).chars().allMatch(Character::isDigit)
                    && colon < e.length() - 1) {
                port = Integer.parseInt(e.substring(colon + 1));
                e = e.substring(0, colon);
            }
            boolean subdomainsOnly = false;
            if (e.startsWith("*.")) {
                e = e.substring(2);
            } else if (e.startsWith(".")) {
                e = e.substring(1);
                subdomainsOnly = true;
            }
            entries.add(new Entry(HostPatterns.normalize(e), subdomainsOnly, port));
        }
        return new NoProxy(all, List.copyOf(entries));
    }

    /** Whether {@code host}:{@code port} bypasses the proxy. */
    public boolean matches(String host, int port) {
        if (all) {
            return true;
        }
        for (Entry e : entries) {
            if (e.port != 0 && e.port != port) {
                continue;
            }
            boolean sub = host.endsWith("." + e.domain);
            if (sub || !e.subdomainsOnly && host.equals(e.domain)) {
                return true;
            }
        }
        return false;
    }
}
