package dev.kiln.cli;

/** The user asked for something that cannot be: a bad setting, a missing file. Exit status 2. */
final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
