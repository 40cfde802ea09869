package dev.kiln.emulators;

import dev.kiln.KilnException;
import dev.kiln.time.TimeSource;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for tests: an EC P-256 key that exists in this object only, a
 * self-signed CA certificate, and server certificates it issues for the emulators' HTTPS
 * listeners (names such as {@code 127.0.0.1}, {@code localhost}, {@code management.azure.com}).
 * Hand its certificate to a client ({@link #pem()}, {@link #trustStore()}, {@link #writeTo}) and
 * the client verifies the emulators as it verifies the real clouds: stock credentials that refuse
 * plain HTTP (azure-identity's bearer policy, MSAL) work unmodified.
 *
 * <p>Never trust it outside tests: anyone holding this object can make certificates for any name.
 * The JDK's providers do the cryptography; Bouncy Castle only builds the certificates.
 */
public final class TestCa {

    /** The password of the PKCS12 trust store {@link #writeTo} writes (Java's customary one; it guards nothing secret). */
    public static final String TRUST_STORE_PASSWORD = "changeit";
    /** The file name of the CA certificate in PEM that {@link #writeTo} writes. */
    public static final String PEM_FILE = "kiln-test-ca.pem";
    /** The file name of the PKCS12 trust store that {@link #writeTo} writes. */
    public static final String TRUST_STORE_FILE = "kiln-test-ca.p12";

    /** The names every server certificate carries: the loopback interface however a client names it. */
    public static final List<String> LOOPBACK_NAMES = List.of("127.0.0.1", "::1", "localhost");

    private static final Duration VALIDITY = Duration.ofDays(365);
    // Clocks of the processes that verify the certificates may lag a little.
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String LEAF_ALIAS = "leaf";

    /** Where {@link #writeTo} put the CA: its certificate in PEM and a PKCS12 trust store holding it. */
    public record Files(Path pem, Path trustStore, String trustStorePassword) {
    }

    private final KeyPair caKeys;
    private final X509Certificate certificate;
    private final KeyPair leafKeys;
    private final Date notBefore;
    private final Date notAfter;

    private TestCa(KeyPair caKeys, X509Certificate certificate, KeyPair leafKeys, Date notBefore, Date notAfter) {
        this.caKeys = caKeys;
        this.certificate = certificate;
        this.leafKeys = leafKeys;
        this.notBefore = notBefore;
        this.notAfter = notAfter;
    }

    /** A new CA, valid from an hour ago for a year by the system clock. */
    public static TestCa create() {
        return create(TimeSource.system().now());
    }

    /** A new CA, valid from an hour before {@code now} for a year. */
    public static TestCa create(Instant now) {
        try {
            KeyPair keys = ecKeys();
            Date from = Date.from(now.minus(BACKDATE));
            Date until = Date.from(now.plus(VALIDITY));
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.O, "Kiln")
                    .addRDN(BCStyle.CN, "Kiln emulators test CA " + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE))
                    .build();
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(), from, until, subject,
                    keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(keys.getPublic()));
            return new TestCa(keys, sign(builder, keys), ecKeys(), from, until);
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new KilnException("cannot make the emulators' test CA: " + e.getMessage(), e);
        }
    }

    /** The CA certificate clients should trust. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The CA certificate in PEM, what {@code REQUESTS_CA_BUNDLE}, {@code AWS_CA_BUNDLE} and curl's {@code --cacert} read. */
    public String pem() {
        return pem(certificate);
    }

    /** A trust store (PKCS12, in memory) holding only the CA certificate, for Java clients. */
    public KeyStore trustStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("kiln-test-ca", certificate);
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new KilnException("cannot make a trust store of the test CA: " + e.getMessage(), e);
        }
    }

    /** A client TLS context that trusts this CA only: for {@code HttpClient.newBuilder().sslContext(...)}. */
    public SSLContext clientContext() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new KilnException("cannot make a TLS context trusting the test CA: " + e.getMessage(), e);
        }
    }

    /**
     * A server TLS context presenting a certificate this CA issued for {@link #LOOPBACK_NAMES} and
     * {@code names} (DNS names, {@code *.} wildcards, or IP literals).
     */
    public SSLContext serverContext(Collection<String> names) {
        Set<String> all = new LinkedHashSet<>(LOOPBACK_NAMES);
        names.forEach(n -> all.add(Objects.requireNonNull(n, "name")));
        X509Certificate leaf = issue(List.copyOf(all));
        try {
            // An in-memory store, never written: its password protects nothing and is no secret.
            char[] password = LEAF_ALIAS.toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(LEAF_ALIAS, leafKeys.getPrivate(), password, new X509Certificate[] {leaf});
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new KilnException("cannot set up TLS with the test CA: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the CA certificate as {@value #PEM_FILE} and a PKCS12 trust store holding it as
     * {@value #TRUST_STORE_FILE} (password {@value #TRUST_STORE_PASSWORD}) into {@code directory},
     * creating it if needed, replacing earlier files. The CA's key is never written.
     */
    public Files writeTo(Path directory) {
        try {
            java.nio.file.Files.createDirectories(directory);
            Path pem = directory.resolve(PEM_FILE);
            Path store = directory.resolve(TRUST_STORE_FILE);
            java.nio.file.Files.writeString(pem, pem());
            try (OutputStream out = java.nio.file.Files.newOutputStream(store)) {
                trustStore().store(out, TRUST_STORE_PASSWORD.toCharArray());
            }
            return new Files(pem.toAbsolutePath(), store.toAbsolutePath(), TRUST_STORE_PASSWORD);
        } catch (IOException | GeneralSecurityException e) {
            throw new KilnException("cannot write the test CA to " + directory + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "TestCa[" + certificate.getSubjectX500Principal().getName() + "]";
    }

    private X509Certificate issue(List<String> names) {
        try {
            List<GeneralName> sans = new ArrayList<>();
            for (String name : names) {
                sans.add(isIpLiteral(name) ? new GeneralName(GeneralName.iPAddress, ipText(name))
                        : new GeneralName(GeneralName.dNSName, name));
            }
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Kiln")
                    .addRDN(BCStyle.CN, "Kiln emulator").build();
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(), notBefore,
                    notAfter, subject, leafKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(sans.toArray(GeneralName[]::new)))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(leafKeys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(certificate));
            return sign(builder, caKeys);
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new KilnException("cannot issue a test certificate for " + names + ": " + e.getMessage(), e);
        }
    }

    private static boolean isIpLiteral(String name) {
        return name.matches("\\d{1,3}(\\.\\d{1,3}){3}") || name.contains(":");
    }

    /** An IP literal in the form Bouncy Castle parses (an IPv6 one written out, so {@code ::1} is understood). */
    private static String ipText(String literal) {
        try {
            return InetAddress.getByName(literal).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + literal + "' is not an IP address", e);
        }
    }

    static String pem(X509Certificate certificate) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new KilnException("cannot encode the test CA certificate: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }
}
