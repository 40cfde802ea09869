package dev.kiln.emulators.aws;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Private keys as CreateKeyPair hands them out: RSA as a PKCS#1 PEM with EC2's fingerprint (the
 * SHA-1 of the PKCS#8 encoding), ed25519 in OpenSSH's format with its SHA-256 fingerprint. Real
 * keys, so a client that parses them (packer's SSH communicator) is satisfied.
 */
final class KeyMaterial {

    record Generated(String type, String privateKeyPem, String fingerprint) {
    }

    private KeyMaterial() {
    }

    static Generated generate(String keyType) {
        String type = keyType == null || keyType.isEmpty() ? "rsa" : keyType.toLowerCase(Locale.ROOT);
        try {
            return switch (type) {
                case "rsa" -> rsa();
                case "ed25519" -> ed25519();
                default -> throw Ec2Error.invalidValue("Invalid value '" + keyType + "' for KeyType. Valid values: rsa,"
                        + " ed25519");
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate a " + type + " key", e);
        }
    }

    private static Generated rsa() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair pair = g.generateKeyPair();
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        byte[] pkcs1 = pkcs1Of(pkcs8);
        String fingerprint = HexFormat.ofDelimiter(":").formatHex(MessageDigest.getInstance("SHA-1").digest(pkcs8));
        return new Generated("rsa", pem("RSA PRIVATE KEY", pkcs1), fingerprint);
    }

    /** PKCS#8 wraps the PKCS#1 key in an OCTET STRING after the version and the algorithm. */
    private static byte[] pkcs1Of(byte[] pkcs8) {
        int[] pos = {0};
        expect(pkcs8, pos, 0x30);
        length(pkcs8, pos);
        expect(pkcs8, pos, 0x02);
        skip(pkcs8, pos);
        expect(pkcs8, pos, 0x30);
        skip(pkcs8, pos);
        expect(pkcs8, pos, 0x04);
        int len = length(pkcs8, pos);
        return Arrays.copyOfRange(pkcs8, pos[0], pos[0] + len);
    }

    private static void skip(byte[] der, int[] pos) {
        int len = length(der, pos);
        pos[0] += len;
    }

    private static void expect(byte[] der, int[] pos, int tag) {
        if ((der[pos[0]++] & 0xff) != tag) {
            throw new IllegalStateException("unexpected DER in the JDK's PKCS#8 encoding");
        }
    }

    private static int length(byte[] der, int[] pos) {
        int first = der[pos[0]++] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int len = 0;
        for (int i = 0; i < (first & 0x7f); i++) {
            len = (len << 8) | (der[pos[0]++] & 0xff);
        }
        return len;
    }

    private static Generated ed25519() throws GeneralSecurityException {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] x509 = pair.getPublic().getEncoded();
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        byte[] pub = Arrays.copyOfRange(x509, x509.length - 32, x509.length);
        byte[] seed = Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length);
        byte[] publicBlob = sshBlob(str("ssh-ed25519"), str(pub));

        ByteArrayOutputStream priv = new ByteArrayOutputStream();
        int check = Arrays.hashCode(seed);
        write(priv, u32(check), u32(check), str("ssh-ed25519"), str(pub));
        byte[] secret = new byte[64];
        System.arraycopy(seed, 0, secret, 0, 32);
        System.arraycopy(pub, 0, secret, 32, 32);
        write(priv, str(secret), str(""));
        for (int pad = 1; priv.size() % 8 != 0; pad++) {
            priv.write(pad);
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        write(all, "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII), str("none"), str("none"), str(""), u32(1),
                str(publicBlob), str(priv.toByteArray()));
        String fingerprint = Base64.getEncoder().withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(publicBlob)) + "=";
        return new Generated("ed25519", pem("OPENSSH PRIVATE KEY", all.toByteArray()), fingerprint);
    }

    private static byte[] sshBlob(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, parts);
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, byte[]... parts) {
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
    }

    private static byte[] u32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static byte[] str(String s) {
        return str(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] str(byte[] b) {
        byte[] out = new byte[4 + b.length];
        System.arraycopy(u32(b.length), 0, out, 0, 4);
        System.arraycopy(b, 0, out, 4, b.length);
        return out;
    }

    private static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----";
    }
}
