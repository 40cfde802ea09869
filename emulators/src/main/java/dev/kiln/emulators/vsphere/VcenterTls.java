package dev.kiln.emulators.vsphere;

import dev.kiln.KilnException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
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
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The self-signed certificate a vCenter emulator not given a TLS context serves, as a vCenter
 * fresh from its installer serves one its own VMCA signed: for its name, {@code localhost},
 * {@code 127.0.0.1} and {@code ::1}. Clients either skip the check (packer's
 * {@code insecure_connection}, pyvmomi with an unverified context) or trust this certificate
 * ({@link #clientContext()}, {@link #writeTrustStore}).
 */
final class VcenterTls {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final SSLContext server;

    private VcenterTls(X509Certificate certificate, SSLContext server) {
        this.certificate = certificate;
        this.server = server;
    }

    static VcenterTls selfSigned(String name, Instant now) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair keys = g.generateKeyPair();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name)
                    .addRDN(BCStyle.O, "Kiln vCenter emulator").build();
            Instant from = now.minus(Duration.ofDays(1));
            GeneralNames names = new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.dNSName, name),
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.iPAddress, "::1")});
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                    subject, new BigInteger(127, RANDOM), Date.from(from), Date.from(from.plus(Duration.ofDays(3650))),
                    subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, names)
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] password = new char[0];
            ks.setKeyEntry("vcenter", keys.getPrivate(), password, new Certificate[] {cert});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext server = SSLContext.getInstance("TLS");
            server.init(kmf.getKeyManagers(), null, null);
            return new VcenterTls(cert, server);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new KilnException("the vCenter emulator could not make its certificate: " + e.getMessage(), e);
        }
    }

    SSLContext serverContext() {
        return server;
    }

    X509Certificate certificate() {
        return certificate;
    }

    /** A client context that trusts this certificate and nothing else; host names are still checked. */
    SSLContext clientContext() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore(null));
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new KilnException("cannot trust the vCenter emulator's certificate: " + e.getMessage(), e);
        }
    }

    /** Writes a PKCS12 trust store holding this certificate. */
    void writeTrustStore(Path file, char[] password) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            trustStore(password).store(out, password);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write a trust store to " + file + ": " + e.getMessage(), e);
        }
    }

    private KeyStore trustStore(char[] password) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, password);
        ks.setCertificateEntry("vcenter", certificate);
        return ks;
    }

    String pem() {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(certificate);
        } catch (IOException e) {
            throw new KilnException("cannot encode the vCenter emulator's certificate: " + e.getMessage(), e);
        }
        return out.toString();
    }
}
