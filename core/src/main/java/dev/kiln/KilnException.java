package dev.kiln;

/**
 * The root of every exception Kiln throws for misuse or failure. Expected outcomes (throttled,
 * short of quota, name taken) are values, not exceptions. Messages are written for the person who
 * has to fix the problem and never contain secret values.
 */
public class KilnException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public KilnException(String message) {
        super(message);
    }

    public KilnException(String message, Throwable cause) {
        super(message, cause);
    }
}
