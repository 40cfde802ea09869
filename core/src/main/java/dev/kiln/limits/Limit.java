package dev.kiln.limits;

import java.util.Objects;

/**
 * One named limit of a provider: its shape and the scope it is counted in.
 *
 * @param name  e.g. {@code RunInstances}, {@code arm.writes}, {@code gce.regional.writes}
 * @param spec  its shape and size
 * @param scope region or account
 */
public record Limit(String name, LimitSpec spec, Scope scope) {
    public Limit {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(scope, "scope");
    }

    public Limit withSpec(LimitSpec newSpec) {
        return new Limit(name, newSpec, scope);
    }
}
