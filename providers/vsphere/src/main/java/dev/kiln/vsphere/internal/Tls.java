package dev.kiln.vsphere.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/** The TLS contexts the provider can use: the JDK's trust, a trust store of the user's, or (labs only) none. */
public final class Tls {

    private Tls() {
    }

    /** The JDK's default: its CA certificates, and the host name checked against the certificate. */
    public static SSLContext verifying() throws GeneralSecurityException {
        return SSLContext.getDefault();
    }

    /**
     * Trusts the certificates of {@code trustStore} (PKCS12, or JKS by a {@code .jks} name or type);
     * the host name is still checked against the certificate.
     */
    public static SSLContext trusting(Path trustStore, String type, char[] password)
            throws IOException, GeneralSecurityException {
        String storeType = type != null ? type
                : trustStore.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12";
        KeyStore ks = KeyStore.getInstance(storeType);
        try (InputStream in = Files.newInputStream(trustStore)) {
            ks.load(in, password);
        }
        if (ks.size() == 0) {
            // A store that trusts nothing would fail every call later with a PKIX error; say why now.
            throw new KeyStoreException("it holds no certificate" + (password == null
                    ? " readable without its password (a PKCS12 store encrypts its certificates)" : ""));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /**
     * Accepts any certificate for any host name: for labs with self-signed vCenters only. An
     * extended trust manager, so the JDK adds no host name check of its own.
     */
    public static SSLContext insecure() throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new AcceptAll()}, null);
        return ctx;
    }

    private static final class AcceptAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
