package dev.kiln.emulators.azure;

import static dev.kiln.emulators.azure.ArmJson.JSON;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.Query;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How ARM pages a list: {@code {"value":[...],"nextLink":"..."}}, at most {@code $top} items a page
 * (or the list's own page size), {@code nextLink} the same request with a {@code $skiptoken} for
 * the rest, absent on the last page. Clients follow {@code nextLink} as given, so it names the
 * scheme and host they called.
 */
final class ArmPages {

    /** Items on a page when the request names no {@code $top}. */
    static final int PAGE_SIZE = 1000;
    private static final String TOKEN_PREFIX = "kiln";

    private ArmPages() {
    }

    /** The page of {@code items} {@code request} asks for. */
    static ObjectNode page(Request request, List<ObjectNode> items) {
        Query query = Query.parse(request.rawQuery());
        int size = PAGE_SIZE;
        String top = query.value("$top");
        if (top != null) {
            try {
                size = Integer.parseInt(top.trim());
            } catch (NumberFormatException e) {
                size = 0;
            }
            if (size < 1) {
                throw ArmError.badRequest("InvalidTopQueryParameter", "The value '" + top + "' of the '$top' query"
                        + " parameter is invalid. It must be a whole number of at least 1.");
            }
        }
        int from = 0;
        String token = query.value("$skiptoken");
        if (token != null) {
            try {
                from = Integer.parseInt(token.startsWith(TOKEN_PREFIX) ? token.substring(TOKEN_PREFIX.length()) : "x");
            } catch (NumberFormatException e) {
                from = -1;
            }
            if (from < 0 || from > items.size()) {
                throw ArmError.badRequest("InvalidSkipToken", "The skip token '" + token + "' is invalid: follow the"
                        + " nextLink of the previous page as given.");
            }
        }
        int to = (int) Math.min(items.size(), (long) from + size);
        ObjectNode page = JSON.createObjectNode();
        ArrayNode value = page.putArray("value");
        items.subList(from, to).forEach(value::add);
        if (to < items.size()) {
            page.put("nextLink", request.base() + request.path() + "?" + without(request.rawQuery(), "$skiptoken")
                    + "$skiptoken=" + TOKEN_PREFIX + to);
        }
        return page;
    }

    /** {@code raw} without parameter {@code name}, ending in {@code &} when anything is left. */
    private static String without(String raw, String name) {
        if (raw == null || raw.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8);
        for (String pair : raw.split("&")) {
            String key = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
            if (!pair.isEmpty() && !key.equals(name) && !key.equals(encoded)) {
                b.append(pair).append('&');
            }
        }
        return b.toString();
    }
}
