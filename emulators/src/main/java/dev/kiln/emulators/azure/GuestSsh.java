package dev.kiln.emulators.azure;

import dev.kiln.KilnException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * The emulator's VMs as packer's SSH communicator reaches them. packer 1.6.6's azure-arm connects
 * over SSH to the public IP of the VM it deployed before it deallocates and captures it (its
 * {@code communicator: none} still waits for SSH, with a timeout of zero), so every public IP the
 * emulator hands out is the loopback address, and this one server answers for every guest: any
 * user, key or password is let in. It runs no commands: a template with provisioners needs a real
 * machine.
 */
final class GuestSsh implements AutoCloseable {

    private final SshServer server;

    private GuestSsh(SshServer server) {
        this.server = server;
    }

    /** Listens on {@code host}, on a free port. */
    static GuestSsh start(String host) {
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost(host);
        server.setPort(0);
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider();
        // An EC host key: packer 1.6.6's x/crypto verifies ecdsa-sha2-nistp256, and the key is made
        // in memory, per emulator, in milliseconds.
        keys.setAlgorithm("EC");
        server.setKeyPairProvider(keys);
        // An emulated guest takes any key packer made; sshd's AcceptAllPublickeyAuthenticator would do
        // the same but warn on every login, into kiln demo's output.
        server.setPublickeyAuthenticator((user, key, session) -> true);
        server.setPasswordAuthenticator((user, password, session) -> true);
        try {
            server.start();
        } catch (IOException e) {
            throw new KilnException("cannot start the ARM emulator's guest SSH on " + host + ": " + e.getMessage(), e);
        }
        return new GuestSsh(server);
    }

    /** The port every guest answers SSH on. */
    int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        try {
            server.stop(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
