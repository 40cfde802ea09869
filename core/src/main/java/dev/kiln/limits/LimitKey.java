package dev.kiln.limits;

import dev.kiln.plan.Target;

/**
 * Identifies one live limit: a named limit in a scope, e.g. {@code aws/123456789012/us-east-1}
 * + {@code RunInstances}. Shared by every build and, with a shared coordination store, every node.
 *
 * @param scopeKey {@link Scope#keyOf(Target)} of the target
 * @param name     the limit's name
 */
public record LimitKey(String scopeKey, String name) implements Comparable<LimitKey> {

    public static LimitKey of(Target target, Limit limit) {
        return new LimitKey(limit.scope().keyOf(target), limit.name());
    }

    @Override
    public int compareTo(LimitKey o) {
        int c = scopeKey.compareTo(o.scopeKey);
        return c != 0 ? c : name.compareTo(o.name);
    }

    /** Written out: a record's generated equality goes through method handles, and a run looks keys up millions of times. */
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof LimitKey k && scopeKey.equals(k.scopeKey) && name.equals(k.name);
    }

    @Override
    public int hashCode() {
        return 31 * scopeKey.hashCode() + name.hashCode();
    }

    @Override
    public String toString() {
        return scopeKey + "#" + name;
    }
}
