package dev.kiln.cli;

import dev.kiln.testkit.RequiredTools;
import java.nio.file.Path;

/** Tools the CLI's tests need (see {@link RequiredTools}: skipped where missing, unless required). */
final class Tools {

    private Tools() {
    }

    static Path packer() {
        return RequiredTools.packer();
    }
}
