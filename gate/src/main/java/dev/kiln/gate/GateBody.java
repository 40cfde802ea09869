package dev.kiln.gate;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * A message body as the gate buffered it: the whole body, or its first bytes when it was longer
 * than the gate keeps ({@link #truncated()}). Immutable; every accessor hands out a copy or a view
 * that cannot change it.
 *
 * <p>{@link #toString()} gives the size only: bodies carry secrets (a client secret in an OAuth
 * form, an EC2 user-data script) and must never reach a log.
 */
public final class GateBody {

    private static final GateBody EMPTY = new GateBody(new byte[0], false);

    private final byte[] bytes;
    private final boolean truncated;

    private GateBody(byte[] bytes, boolean truncated) {
        this.bytes = bytes;
        this.truncated = truncated;
    }

    /** No body. */
    public static GateBody empty() {
        return EMPTY;
    }

    /** A copy of {@code bytes}; {@code truncated} says they are only the beginning of the body. */
    public static GateBody of(byte[] bytes, boolean truncated) {
        return bytes.length == 0 && !truncated ? EMPTY : new GateBody(bytes.clone(), truncated);
    }

    /** The number of bytes buffered. */
    public int size() {
        return bytes.length;
    }

    /** Whether no byte was buffered. */
    public boolean isEmpty() {
        return bytes.length == 0;
    }

    /** True when the body was longer than the gate buffers and these are its first bytes. */
    public boolean truncated() {
        return truncated;
    }

    /** A copy of the buffered bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** The buffered bytes as a stream, without copying them. */
    public InputStream asInputStream() {
        return new ByteArrayInputStream(bytes);
    }

    /** The buffered bytes decoded with {@code charset}. */
    public String asString(Charset charset) {
        return new String(bytes, charset);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GateBody other && truncated == other.truncated && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(bytes) + Boolean.hashCode(truncated);
    }

    /** The size only, never the content. */
    @Override
    public String toString() {
        return "GateBody[" + bytes.length + " bytes" + (truncated ? ", truncated" : "") + "]";
    }
}
