package dev.kiln.azure;

import dev.kiln.emulators.azure.ArmEmulator;
import dev.kiln.gate.GateNetwork;
import dev.kiln.packer.PackerRunners;
import dev.kiln.packer.ProcessPackerRunner;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;

/** packer's real azure-arm against an ARM emulator, through Kiln's gate: the template, runner and network. */
final class Packer {

    private Packer() {
    }

    /** The azure-arm template every test builds: a managed image from Ubuntu, tagged with Kiln's variables. */
    static Path template() {
        try {
            return Path.of(Packer.class.getResource("/packer/azure-arm.json").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Kiln's network to {@code arm}: ARM's, Azure AD's and Key Vault's hosts routed there, no user
     * proxy; every build's packer gets the emulator's service principal and SSH port.
     */
    static GateNetwork network(ArmEmulator arm) {
        return GateNetwork.builder().route(arm.routes()).env(arm.packerEnv()).upstreamProxy(Optional.empty()).build();
    }

    /** packer with a home of its own under {@code work}. */
    static ProcessPackerRunner runner(Path work) {
        return PackerRunners.processBuilder().extraEnv("HOME", work.toString()).build();
    }
}
