package dev.kiln.limits;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A provider's limits for one target and which of them each API call charges. Built once per
 * provider from its documented defaults ({@link ProviderDefaults}) and then overridden per target
 * from the plan.
 *
 * <p>Some providers give every action a bucket of its own (EC2 seeds each action's bucket from its
 * category); {@link Builder#perAction} covers them without listing every action up front.
 */
public final class LimitsTable {

    private final Map<String, Limit> limits;
    private final Map<String, List<Charge>> routes;
    private final List<PerAction> perAction;

    private LimitsTable(Builder b) {
        this.limits = Collections.unmodifiableMap(new LinkedHashMap<>(b.limits));
        Map<String, List<Charge>> r = new LinkedHashMap<>();
        b.routes.forEach((k, v) -> r.put(k, List.copyOf(v)));
        this.routes = Collections.unmodifiableMap(r);
        this.perAction = List.copyOf(b.perAction);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An empty table: nothing is limited. */
    public static LimitsTable none() {
        return new Builder().build();
    }

    /** The limit of that name, including per-action limits created on first use. */
    public Optional<Limit> limit(String name) {
        Limit l = limits.get(name);
        if (l != null) {
            return Optional.of(l);
        }
        for (PerAction p : perAction) {
            if (p.matches.test(name)) {
                return Optional.of(new Limit(name, p.spec, p.scope));
            }
        }
        return Optional.empty();
    }

    /** What one call of {@code api} charges; empty when the api is not limited. */
    public List<Charge> chargesFor(String api) {
        List<Charge> explicit = routes.get(api);
        if (explicit != null) {
            return explicit;
        }
        if (limits.containsKey(api)) {
            return List.of(new Charge(api, 1));
        }
        for (PerAction p : perAction) {
            if (p.matches.test(api)) {
                return List.of(new Charge(api, 1));
            }
        }
        return List.of();
    }

    /** The limits declared up front (per-action limits appear only through {@link #limit}). */
    public Collection<Limit> declaredLimits() {
        return limits.values();
    }

    /**
     * A copy whose named limits take new shapes, e.g. from a plan's {@code limits:} block. A name
     * that is neither declared nor matched by a per-action rule is refused.
     */
    public LimitsTable withOverrides(Map<String, LimitSpec> overrides) {
        Builder b = toBuilder();
        overrides.forEach((name, spec) -> {
            Limit current = limit(name).orElseThrow(() -> new IllegalArgumentException(
                    "no limit named '" + name + "'; known: " + String.join(", ", limits.keySet())));
            b.limits.put(name, current.withSpec(spec));
        });
        return b.build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.limits.putAll(limits);
        routes.forEach((k, v) -> b.routes.put(k, new ArrayList<>(v)));
        b.perAction.addAll(perAction);
        return b;
    }

    /** Builds a {@link LimitsTable}; not thread-safe. */
    public static final class Builder {
        private final Map<String, Limit> limits = new LinkedHashMap<>();
        private final Map<String, List<Charge>> routes = new LinkedHashMap<>();
        private final List<PerAction> perAction = new ArrayList<>();

        private Builder() {
        }

        public Builder limit(String name, LimitSpec spec, Scope scope) {
            limits.put(name, new Limit(name, spec, scope));
            return this;
        }

        /** Calls of {@code api} charge these limits (replacing any earlier route for it). */
        public Builder route(String api, Charge... charges) {
            routes.put(api, new ArrayList<>(List.of(charges)));
            return this;
        }

        /**
         * Every api matching {@code matches} that has no explicit limit gets a bucket of its own
         * shaped {@code spec}. Rules are tried in the order added.
         */
        public Builder perAction(Predicate<String> matches, LimitSpec spec, Scope scope) {
            perAction.add(new PerAction(matches, spec, scope));
            return this;
        }

        public LimitsTable build() {
            return new LimitsTable(this);
        }
    }

    private record PerAction(Predicate<String> matches, LimitSpec spec, Scope scope) {
    }
}
