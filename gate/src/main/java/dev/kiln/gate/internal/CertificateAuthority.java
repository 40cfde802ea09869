package dev.kiln.gate.internal;

import dev.kiln.gate.GateException;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.regex.Pattern;
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
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A CA made for one gate: an EC P-256 key pair that exists in this object only (never written,
 * never exported), a self-signed certificate that may sign leaves only (path length 0), and one
 * leaf key pair shared by every leaf it issues. The JDK's own providers do the cryptography;
 * Bouncy Castle only builds the certificates, and is never registered as a provider.
 */
final class CertificateAuthority {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    // Clocks of the processes that verify the leaves may lag Kiln's a little.
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair caKeys;
    private final X509Certificate caCertificate;
    private final KeyPair leafKeys;
    private final Date notBefore;
    private final Date notAfter;

    private CertificateAuthority(KeyPair caKeys, X509Certificate caCertificate, KeyPair leafKeys, Date notBefore,
                                 Date notAfter) {
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
        this.leafKeys = leafKeys;
        this.notBefore = notBefore;
        this.notAfter = notAfter;
    }

    static CertificateAuthority create(Instant now, Duration validity) {
        try {
            KeyPair caKeys = ecKeys();
            Date notBefore = Date.from(now.minus(BACKDATE));
            Date notAfter = Date.from(now.plus(validity));
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.O, "Kiln")
                    .addRDN(BCStyle.CN, "Kiln gate CA " + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE))
                    .build();
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(), notBefore, notAfter,
                    subject, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(caKeys.getPublic()));
            X509Certificate certificate = sign(builder, caKeys);
            return new CertificateAuthority(caKeys, certificate, ecKeys(), notBefore, notAfter);
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new GateException("the gate could not make its CA: " + e.getMessage(), e);
        }
    }

    X509Certificate certificate() {
        return caCertificate;
    }

    KeyPair leafKeys() {
        return leafKeys;
    }

    /** The CA certificate in PEM. */
    String pem() {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(caCertificate);
        } catch (IOException e) {
            throw new GateException("the gate could not encode its CA certificate: " + e.getMessage(), e);
        }
        return out.toString();
    }

    /**
     * A leaf for {@code host} (a DNS name or an IP literal), valid as long as the CA, for TLS servers:
     * the name in the subject alternative names, where Go's verification looks.
     */
    X509Certificate issue(String host) {
        try {
            boolean ip = IPV4.matcher(host).matches() || host.contains(":");
            GeneralName name = new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, host);
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, host).build();
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCertificate, serial(), notBefore,
                    notAfter, subject, leafKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(name))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(leafKeys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(caCertificate));
            return sign(builder, caKeys);
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new GateException("the gate could not issue a certificate for " + host + ": " + e.getMessage(), e);
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
