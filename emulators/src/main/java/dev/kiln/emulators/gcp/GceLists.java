package dev.kiln.emulators.gcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.spi.Query;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * How Compute Engine answers a list: {@code filter}, {@code maxResults} (at most 500) and
 * {@code pageToken}, {@code items} left out when a page has none, {@code nextPageToken} while
 * more follow; and an aggregated list, whose {@code items} map every scope ({@code zones/Z},
 * {@code regions/R}, {@code global}) to its items on the page or a {@code NO_RESULTS_ON_PAGE}
 * warning, paged across scopes the same way.
 */
final class GceLists {

    static final int MAX_RESULTS = 500;
    private static final String TOKEN_PREFIX = "kiln-";

    private final ObjectMapper json;
    private final GceConfig config;

    GceLists(ObjectMapper json, GceConfig config) {
        this.json = json;
        this.config = config;
    }

    static Predicate<Function<String, String>> filter(Query query) {
        return Filter.parse(query.value("filter"));
    }

    /** The items {@code filter} keeps, in order. */
    static List<ObjectNode> filtered(List<ObjectNode> items, Predicate<Function<String, String>> filter) {
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode n : items) {
            if (filter.test(GceWorld.fields(n))) {
                out.add(n);
            }
        }
        return out;
    }

    /** A plain list of {@code collection} (e.g. {@code zones/us-east1-b/instances}) answering {@code query}. */
    ObjectNode list(String kind, Query query, String project, String collection, List<ObjectNode> items) {
        Page page = page(query, items.size());
        ObjectNode n = json.createObjectNode().put("kind", kind).put("id", GceWorld.path(project, collection));
        if (page.from < page.to) {
            ArrayNode out = n.putArray("items");
            items.subList(page.from, page.to).forEach(out::add);
        }
        page.next(n);
        n.put("selfLink", GceWorld.BASE + project + "/" + collection);
        return n;
    }

    /**
     * An aggregated list of {@code plural} (e.g. {@code instances}) of kind {@code kind}: every
     * scope of {@code scopes}, in order, holding its share of the page.
     */
    ObjectNode aggregated(String kind, String plural, Query query, String project, List<String> scopes,
            List<ObjectNode> items) {
        Map<String, List<ObjectNode>> byScope = new LinkedHashMap<>();
        scopes.forEach(s -> byScope.put(s, new ArrayList<>()));
        for (ObjectNode item : items) {
            byScope.computeIfAbsent(scopeOf(item), s -> new ArrayList<>()).add(item);
        }
        List<ObjectNode> ordered = new ArrayList<>();
        byScope.values().forEach(ordered::addAll);
        Page page = page(query, ordered.size());
        Set<ObjectNode> onPage = Collections.newSetFromMap(new IdentityHashMap<>());
        onPage.addAll(ordered.subList(page.from, page.to));
        ObjectNode n = json.createObjectNode().put("kind", kind).put("id", GceWorld.path(project, "aggregated/"
                + plural));
        ObjectNode out = n.putObject("items");
        byScope.forEach((scope, list) -> {
            ObjectNode s = out.putObject(scope);
            ArrayNode shown = json.createArrayNode();
            list.stream().filter(onPage::contains).forEach(shown::add);
            if (shown.isEmpty()) {
                ObjectNode warning = s.putObject("warning").put("code", "NO_RESULTS_ON_PAGE")
                        .put("message", "There are no results for scope '" + scope + "' on this page.");
                warning.putArray("data").addObject().put("key", "scope").put("value", scope);
            } else {
                s.set(plural, shown);
            }
        });
        page.next(n);
        n.put("selfLink", GceWorld.BASE + project + "/aggregated/" + plural);
        return n;
    }

    /** {@code zones/Z} of every zone, in the emulator's order. */
    List<String> zoneScopes() {
        List<String> out = new ArrayList<>();
        config.zonesByRegion().values().forEach(zs -> zs.forEach(z -> out.add("zones/" + z)));
        return out;
    }

    /** {@code global}, then {@code regions/R} of every region. */
    List<String> regionScopes() {
        List<String> out = new ArrayList<>();
        out.add("global");
        config.zonesByRegion().keySet().forEach(r -> out.add("regions/" + r));
        return out;
    }

    /** Every scope an operation can be in: {@code global}, the regions, the zones. */
    List<String> allScopes() {
        List<String> out = regionScopes();
        out.addAll(zoneScopes());
        return out;
    }

    private static String scopeOf(ObjectNode item) {
        if (item.hasNonNull("zone")) {
            return "zones/" + GceWorld.lastSegment(item.get("zone").asText());
        }
        if (item.hasNonNull("region")) {
            return "regions/" + GceWorld.lastSegment(item.get("region").asText());
        }
        return "global";
    }

    /** The slice of {@code size} items a request's {@code maxResults} and {@code pageToken} ask for. */
    private static Page page(Query query, int size) {
        int max = MAX_RESULTS;
        if (query.has("maxResults")) {
            try {
                max = Math.max(1, Math.min(MAX_RESULTS, Integer.parseInt(query.value("maxResults"))));
            } catch (NumberFormatException e) {
                throw GceError.invalid("Invalid value for field 'maxResults': '" + query.value("maxResults")
                        + "'. Must be an integer.");
            }
        }
        int from = 0;
        String token = query.value("pageToken");
        if (token != null && !token.isEmpty()) {
            try {
                from = Integer.parseInt(token.startsWith(TOKEN_PREFIX) ? token.substring(TOKEN_PREFIX.length())
                        : token);
            } catch (NumberFormatException e) {
                from = -1;
            }
            if (from < 0 || from > size) {
                throw GceError.invalid("Invalid value for field 'pageToken': '" + token + "'. Invalid page token.");
            }
        }
        return new Page(from, Math.min(size, from + max), size);
    }

    private record Page(int from, int to, int size) {
        void next(ObjectNode n) {
            if (to < size) {
                n.put("nextPageToken", TOKEN_PREFIX + to);
            }
        }
    }
}
