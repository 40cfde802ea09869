package dev.kiln.emulators.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * EC2's {@code Filter.N.Name} / {@code Filter.N.Value.M}: filters are ANDed, the values of one
 * filter ORed, and values may use {@code *} and {@code ?} wildcards ({@code \} escapes them).
 */
final class Filters {

    private final List<One> filters;

    private Filters(List<One> filters) {
        this.filters = filters;
    }

    static Filters of(QueryParams params) {
        List<One> out = new ArrayList<>();
        for (QueryParams f : params.members("Filter")) {
            String name = f.get("Name");
            if (name == null || name.isEmpty()) {
                throw Ec2Error.missing("Filter.N.Name");
            }
            List<Pattern> values = new ArrayList<>();
            for (String v : f.list("Value")) {
                values.add(wildcard(v));
            }
            out.add(new One(name, values));
        }
        return new Filters(out);
    }

    static Filters none() {
        return new Filters(List.of());
    }

    boolean isEmpty() {
        return filters.isEmpty();
    }

    /** Whether {@code r} passes every filter; an unknown filter name is EC2's InvalidParameterValue. */
    boolean matches(Resources.Resource r) {
        for (One f : filters) {
            List<String> actual = r.filterValues(f.name);
            if (actual == null) {
                throw Ec2Error.invalidValue("The filter '" + f.name + "' is invalid");
            }
            if (!anyMatch(f.values, actual)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Refuses filter names a resource type does not know, as EC2 does even when nothing would
     * match; tag filters are known to every taggable type.
     */
    Filters validate(Set<String> known) {
        for (One f : filters) {
            boolean tag = f.name.startsWith("tag:") || f.name.equals("tag-key") || f.name.equals("tag-value");
            if (!tag && !known.contains(f.name)) {
                throw Ec2Error.invalidValue("The filter '" + f.name + "' is invalid");
            }
        }
        return this;
    }

    private static boolean anyMatch(List<Pattern> wanted, List<String> actual) {
        for (Pattern p : wanted) {
            for (String a : actual) {
                if (a != null && p.matcher(a).matches()) {
                    return true;
                }
            }
        }
        return false;
    }

    static Pattern wildcard(String value) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                literal.append(value.charAt(++i));
                continue;
            }
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    re.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                re.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            re.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    private record One(String name, List<Pattern> values) {
    }
}
