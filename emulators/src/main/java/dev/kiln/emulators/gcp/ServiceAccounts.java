package dev.kiln.emulators.gcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A service account key file for the emulator, as Google hands them out: a fresh RSA key (a client
 * signs its token request with it; the emulator checks no signature) and Google's own
 * {@code token_uri}, which a proxy such as Kiln's gate routes to the emulator. Written once, 0600,
 * into a directory of its own, and deleted with it when the emulator closes.
 */
final class ServiceAccounts implements AutoCloseable {

    private final ObjectMapper json;
    private Path directory;
    private Path file;

    ServiceAccounts(ObjectMapper json) {
        this.json = json;
    }

    /** The key file of a service account of {@code project}, written on first use. */
    synchronized Path file(String project) {
        if (file != null) {
            return file;
        }
        try {
            KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
            rsa.initialize(2048);
            String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                    .encodeToString(rsa.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
            Map<String, String> account = new LinkedHashMap<>();
            account.put("type", "service_account");
            account.put("project_id", project);
            account.put("private_key_id", "kiln-emulator");
            account.put("private_key", pem);
            account.put("client_email", "packer@" + project + ".iam.gserviceaccount.com");
            account.put("client_id", "100000000000000000001");
            account.put("auth_uri", "https://accounts.google.com/o/oauth2/auth");
            account.put("token_uri", "https://oauth2.googleapis.com/token");
            directory = Files.createTempDirectory("kiln-gce-emulator-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path f = directory.resolve("service-account.json");
            Files.writeString(f, json.writeValueAsString(account));
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            file = f;
            return f;
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new KilnException("the GCE emulator could not write a service account file: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
            if (directory != null) {
                Files.deleteIfExists(directory);
            }
        } catch (IOException e) {
            // A file in the temporary directory, of a key no one trusts: nothing to clean up for.
        }
    }
}
