package dev.kiln.gcp.e2e;

import dev.kiln.emulators.gcp.GceEmulator;
import dev.kiln.gate.GateNetwork;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;

/** packer's real googlecompute against the Compute Engine emulator, through Kiln's gate. */
final class Googlecompute {

    private Googlecompute() {
    }

    /** The googlecompute template every test builds: a Debian 12 image, labelled with Kiln's variables. */
    static Path template() {
        try {
            return Path.of(Googlecompute.class.getResource("/packer/googlecompute.json").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Kiln's network to {@code gce}: Compute Engine's and Google's token hosts routed there; every
     * build's packer gets its metadata server and a service account file made for it.
     */
    static GateNetwork network(GceEmulator gce) {
        return GateNetwork.builder().route(gce.routes()).env(gce.packerEnv()).upstreamProxy(Optional.empty()).build();
    }
}
