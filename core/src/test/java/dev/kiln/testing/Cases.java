package dev.kiln.testing;

import java.util.HexFormat;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Seeded generated cases: a property checked against many inputs drawn from a fixed seed, so a
 * failure names the case and the seed and replays exactly. (Kiln does not use jqwik: its engine
 * asks AI agents not to use it, and Kiln is built with their help; plain seeded generators
 * cover what the properties need.)
 */
public final class Cases {

    private Cases() {
    }

    /**
     * Checks {@code property} on {@code count} inputs from {@code generator}.
     *
     * @throws AssertionError naming the failing case, its seed and its input
     */
    public static <T> void check(long seed, int count, Function<Random, T> generator, Consumer<T> property) {
        for (int i = 0; i < count; i++) {
            long caseSeed = seed * 1_000_003L + i;
            T input = generator.apply(new Random(caseSeed));
            try {
                property.accept(input);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("case " + i + " (seed " + caseSeed + ") failed for input:\n" + show(input), e);
            }
        }
    }

    private static String show(Object input) {
        if (input instanceof byte[] bytes) {
            return HexFormat.of().formatHex(bytes);
        }
        String s = String.valueOf(input);
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }

    /** A string of up to {@code max} characters drawn from {@code alphabet}. */
    public static String string(Random r, String alphabet, int max) {
        int n = r.nextInt(max + 1);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** Any UTF-16 text of up to {@code max} chars, surrogates and control characters included. */
    public static String anyText(Random r, int max) {
        int n = r.nextInt(max + 1);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) (r.nextInt(4) == 0 ? r.nextInt(0x10000) : r.nextInt(0x80)));
        }
        return sb.toString();
    }

    public static byte[] bytes(Random r, int max) {
        byte[] b = new byte[r.nextInt(max + 1)];
        r.nextBytes(b);
        return b;
    }
}
