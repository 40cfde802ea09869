package dev.kiln.emulators.aws;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** {@code MaxResults} / {@code NextToken} over a describe's full, stably ordered result. */
final class Paging {

    private Paging() {
    }

    record Page<T>(List<T> items, String nextToken) {
    }

    /**
     * One page of {@code all}. Without {@code MaxResults} everything comes back in one answer, as
     * EC2 does for most describes; {@code minResults} is the action's documented lower bound.
     */
    static <T> Page<T> page(List<T> all, QueryParams params, String action, int minResults) {
        Integer max = params.integer("MaxResults");
        int offset = offset(params.get("NextToken"), action);
        if (max == null) {
            if (offset > 0) {
                return new Page<>(List.copyOf(all.subList(Math.min(offset, all.size()), all.size())), null);
            }
            return new Page<>(all, null);
        }
        if (max < minResults || max > 1000) {
            throw Ec2Error.invalidValue("Value ( " + max + " ) for parameter maxResults is invalid. Expecting a value"
                    + " between " + minResults + " and 1000.");
        }
        int from = Math.min(offset, all.size());
        int to = Math.min(from + max, all.size());
        String next = to < all.size() ? token(action, to) : null;
        return new Page<>(List.copyOf(all.subList(from, to)), next);
    }

    private static String token(String action, int offset) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((action + ":" + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static int offset(String token, String action) {
        if (token == null || token.isEmpty()) {
            return 0;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int colon = text.lastIndexOf(':');
            if (colon > 0 && text.substring(0, colon).equals(action)) {
                int n = Integer.parseInt(text.substring(colon + 1));
                if (n >= 0) {
                    return n;
                }
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error below
        }
        throw Ec2Error.client("InvalidPaginationToken", "The specified pagination token is not valid or is expired.");
    }
}
