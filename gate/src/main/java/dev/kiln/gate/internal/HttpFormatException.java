package dev.kiln.gate.internal;

import java.io.IOException;

/** A peer sent something that is not HTTP/1.1 as the gate reads it. */
final class HttpFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    HttpFormatException(String message) {
        super(message);
    }
}
