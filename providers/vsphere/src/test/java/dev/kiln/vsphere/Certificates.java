package dev.kiln.vsphere;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed server certificate for 127.0.0.1 made by the JDK's own keytool (as a vCenter's
 * VMCA-signed certificate is unknown to the JDK), and a trust store holding it.
 */
final class Certificates {

    static final char[] PASSWORD = "changeit".toCharArray();

    final Path serverKeyStore;
    final Path trustStore;

    private Certificates(Path serverKeyStore, Path trustStore) {
        this.serverKeyStore = serverKeyStore;
        this.trustStore = trustStore;
    }

    static Certificates make(Path dir) throws IOException, InterruptedException {
        Path server = dir.resolve("vcenter.p12");
        Path cert = dir.resolve("vcenter.crt");
        Path trust = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "vcenter", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=vcenter.kiln.test", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", server.toString(), "-storepass", new String(PASSWORD));
        keytool("-exportcert", "-alias", "vcenter", "-keystore", server.toString(), "-storepass",
                new String(PASSWORD), "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "vcenter-ca", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", trust.toString(), "-storepass", new String(PASSWORD));
        return new Certificates(server, trust);
    }

    /** The server side: what the emulator presents. */
    SSLContext serverContext() throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(serverKeyStore)) {
            ks.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
