package dev.kiln.emulators.azure;

/**
 * The addresses of public IPs: the loopback address, where {@link GuestSsh} answers for every VM,
 * so a builder that connects to the VM it made (packer's azure-arm) reaches it.
 */
final class PublicIps {

    /** What every public IP resource reports as its {@code ipAddress}. */
    static final String ADDRESS = "127.0.0.1";

    private PublicIps() {
    }
}
