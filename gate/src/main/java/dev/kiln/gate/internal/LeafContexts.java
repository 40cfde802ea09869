package dev.kiln.gate.internal;

import dev.kiln.gate.GateException;
import dev.kiln.gate.Interception;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

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
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new FixedKeyManager(leaf, ca.leafKeys().getPrivate())}, null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new GateException("the gate could not set up TLS for " + host + ": " + e.getMessage(), e);
        }
    }

    /** Presents one EC key and its leaf, whatever the client asks. */
    private static final class FixedKeyManager extends X509ExtendedKeyManager {
        private final X509Certificate[] chain;
        private final PrivateKey key;

        FixedKeyManager(X509Certificate leaf, PrivateKey key) {
            this.chain = new X509Certificate[] {leaf};
            this.key = key;
        }

        private static String aliasFor(String keyType) {
            return keyType != null && keyType.startsWith("EC") ? ALIAS : null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            String alias = aliasFor(keyType);
            return alias == null ? null : new String[] {alias};
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return aliasFor(keyType);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return aliasFor(keyType);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? chain.clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
