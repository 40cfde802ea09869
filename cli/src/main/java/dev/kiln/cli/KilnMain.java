package dev.kiln.cli;

/** {@code java -jar kiln.jar ...}: {@code bin/kiln}'s entry point. */
public final class KilnMain {

    private KilnMain() {
    }

    public static void main(String[] args) {
        int code = KilnCommand.execute(CliContext.system(), args);
        System.out.flush();
        System.exit(code);
    }
}
