package dev.kiln.aws.internal;

import java.util.Locale;
import java.util.Objects;

/** An IPv4 CIDR block, for reading security group rules. */
public record Cidr(long base, int bits) {

    /** Everywhere: {@code 0.0.0.0/0}. */
    public static final Cidr ANY = new Cidr(0, 0);

    public Cidr {
        if (bits < 0 || bits > 32) {
            throw new IllegalArgumentException("a CIDR prefix is 0 to 32 bits, got " + bits);
        }
        base = bits == 0 ? 0 : base & mask(bits);
    }

    /** {@code 10.1.2.3}, {@code 10.1.0.0/16}; refuses anything else with a message naming the value. */
    public static Cidr parse(String text) {
        Objects.requireNonNull(text, "address");
        String s = text.strip().toLowerCase(Locale.ROOT);
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        int bits = 32;
        try {
            if (slash >= 0) {
                bits = Integer.parseInt(s.substring(slash + 1));
            }
            String[] octets = address.split("\\.", -1);
            if (octets.length != 4) {
                throw new NumberFormatException();
            }
            long value = 0;
            for (String o : octets) {
                int n = Integer.parseInt(o);
                if (n < 0 || n > 255 || o.isEmpty() || o.length() > 3) {
                    throw new NumberFormatException();
                }
                value = value << 8 | n;
            }
            if (bits < 0 || bits > 32) {
                throw new NumberFormatException();
            }
            return new Cidr(value, bits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address or CIDR block such as 203.0.113.7"
                    + " or 203.0.113.0/24", e);
        }
    }

    /** Whether every address of {@code other} lies in this block. */
    public boolean contains(Cidr other) {
        return other.bits >= bits && (bits == 0 || (other.base & mask(bits)) == base);
    }

    private static long mask(int bits) {
        return (0xffffffffL << (32 - bits)) & 0xffffffffL;
    }

    @Override
    public String toString() {
        return (base >> 24 & 255) + "." + (base >> 16 & 255) + "." + (base >> 8 & 255) + "." + (base & 255)
                + (bits == 32 ? "" : "/" + bits);
    }
}
