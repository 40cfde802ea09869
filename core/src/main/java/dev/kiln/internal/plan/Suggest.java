package dev.kiln.internal.plan;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Finds the word a typo was meant to be: "regoins" is "regions". */
public final class Suggest {

    private Suggest() {
    }

    /** The candidate closest to {@code typed}, if one is close enough to be what was meant. */
    public static Optional<String> closest(String typed, Collection<String> candidates) {
        String lower = typed.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(lower, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        if (best == null || best.equals(typed)) {
            return Optional.empty();
        }
        int tolerated = Math.max(1, Math.min(typed.length(), best.length()) / 3);
        return bestDistance <= tolerated ? Optional.of(best) : longestPrefixOf(lower, candidates);
    }

    /** "environment" for "env": the longest candidate of three or more letters that {@code typed} starts with. */
    private static Optional<String> longestPrefixOf(String typed, Collection<String> candidates) {
        String best = null;
        for (String candidate : candidates) {
            String c = candidate.toLowerCase(Locale.ROOT);
            if (c.length() >= 3 && typed.startsWith(c) && (best == null || c.length() > best.length())) {
                best = candidate;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Edit distance counting a swap of neighbours as one edit (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }
}
