package dev.kiln.azure;

import dev.kiln.emulators.azure.ArmEmulator;
import dev.kiln.gate.GateNetwork;
import dev.kiln.packer.PackerRunners;
import dev.kiln.packer.ProcessPackerRunner;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** packer's real azure-arm against an ARM emulator, through Kiln's gate: the template, runner and network. */
final class Packer {

    /** A service principal for the emulator, which checks no credentials; packer reads it from its environment. */
    static final Map<String, String> CREDENTIALS = Map.of("ARM_CLIENT_ID", "5a0e2f1c-0000-4000-8000-0000000000c1",
            "ARM_CLIENT_SECRET", "kiln-emulator-not-a-secret-01", "ARM_TENANT_ID", ArmEmulator.DEFAULT_TENANT);

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

    /** Kiln's network to {@code arm}: ARM's, Azure AD's and Key Vault's hosts routed there, no user proxy. */
    static GateNetwork network(ArmEmulator arm) {
        return GateNetwork.builder().route(arm.routes()).env(arm.packerEnv()).upstreamProxy(Optional.empty()).build();
    }

    /** packer with the emulator's service principal, and a home of its own under {@code work}. */
    static ProcessPackerRunner runner(Path work) {
        return PackerRunners.processBuilder().extraEnv(CREDENTIALS).extraEnv("HOME", work.toString()).build();
    }
}
