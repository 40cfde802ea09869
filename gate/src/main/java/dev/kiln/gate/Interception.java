package dev.kiln.gate;

import dev.kiln.gate.internal.HostPatterns;
import java.util.Collection;
import java.util.List;

/**
 * Which hosts the gate terminates TLS for, sees in plain HTTP and meters. Leaf certificates are
 * issued for these hosts only; every other host is tunnelled untouched, its TLS end to end between
 * packer and the host.
 *
 * <p>Called on the gate's threads for every {@code CONNECT}, with the host lowercased and without
 * a trailing dot. It must be fast and must not block.
 */
@FunctionalInterface
public interface Interception {

    /** Whether the gate intercepts calls to {@code host}. */
    boolean intercepts(String host);

    /** Intercepts hosts that are this policy's or {@code other}'s. */
    default Interception or(Interception other) {
        return host -> intercepts(host) || other.intercepts(host);
    }

    /**
     * The hosts matching any of {@code patterns}: exact names ({@code management.azure.com}) or
     * patterns where {@code *} stands for exactly one DNS label ({@code *.vault.azure.net},
     * {@code ec2.*.amazonaws.com}). Names are compared without case.
     *
     * @throws GateException naming the pattern when one is not a host name or such a pattern
     */
    static Interception hosts(String... patterns) {
        return hosts(List.of(patterns));
    }

    /** As {@link #hosts(String...)}. */
    static Interception hosts(Collection<String> patterns) {
        HostPatterns compiled = HostPatterns.compile(patterns, "Interception.hosts");
        return compiled::matches;
    }

    /** Intercepts nothing: every host is tunnelled. */
    static Interception none() {
        return host -> false;
    }
}
