package dev.kiln.gate.internal;

import dev.kiln.gate.GateException;
import dev.kiln.gate.Interception;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The server-side TLS contexts of intercepted hosts: one per host, with a leaf issued on first use
 * and kept for the gate's life. A host the interception policy does not name gets no leaf.
 */
final class LeafContexts {

    private static final String ALIAS = "leaf";
    // A pattern such as *.vault.azure.net admits unboundedly many names; leaves are cheap to remake.
    private static final int MAX_CACHED = 4096;

    private final CertificateAuthority ca;
    private final Interception interception;
    private final Map<String, SSLContext> contexts = new ConcurrentHashMap<>();

    LeafContexts(CertificateAuthority ca, Interception interception) {
        this.ca = ca;
        this.interception = interception;
    }

    /**
     * The context presenting a leaf for {@code host}.
     *
     * @throws IllegalStateException when {@code host} is not intercepted: the gate asked for a leaf
     *                               it must never make
     */
    SSLContext forHost(String host) {
        if (!interception.intercepts(host)) {
            throw new IllegalStateException("no leaf certificate is issued for " + host + ": it is not intercepted");
        }
        SSLContext cached = contexts.get(host);
        if (cached != null) {
            return cached;
        }
        if (contexts.size() >= MAX_CACHED) {
            contexts.clear();
        }
        return contexts.computeIfAbsent(host, this::newContext);
    }

    /** How many hosts have a leaf now. */
    int issued() {
        return contexts.size();
    }

    private SSLContext newContext(String host) {
        X509Certificate leaf = ca.issue(host);
        try {
            // An in-memory store, never written: its password protects nothing and is no secret.
            char[] password = ALIAS.toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, ca.leafKeys().getPrivate(), password, new X509Certificate[] {leaf});
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new GateException("the gate could not set up TLS for " + host + ": " + e.getMessage(), e);
        }
    }
}
