package dev.kiln.packer;

import dev.kiln.spi.PackerRunner;
import java.nio.file.Path;

/**
 * A {@link PackerRunner} that runs real {@code packer} processes. Get one from
 * {@link PackerRunners#process()} or {@link PackerRunners#processBuilder()}.
 *
 * <p>Each build runs {@code packer build -machine-readable -only=NAME -var-file=FILE TEMPLATE} as an
 * argument array in the build's workspace. Variables go in a var-file only its owner can read,
 * deleted when packer ends; packer's debug log reaches Kiln through a pipe and, with its output,
 * is written redacted to the build's log file. A build is killed with everything it started at its
 * timeout; {@link dev.kiln.spi.BuildHandle#cancel()} interrupts it as Ctrl-C does and kills it
 * after the grace period.
 *
 * <p>Closing the runner kills the builds still running and stops the threads it owns.
 */
public interface ProcessPackerRunner extends PackerRunner, AutoCloseable {

    /**
     * The packer this runner starts.
     *
     * @throws dev.kiln.KilnException when there is none, saying where it looked
     */
    Path executable();

    /**
     * The version of {@link #executable()}, asked once and remembered.
     *
     * @throws dev.kiln.KilnException when packer is missing or does not tell its version
     */
    PackerVersion version();

    @Override
    void close();
}
