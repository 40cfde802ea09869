package dev.kiln.internal.plan;

import dev.kiln.plan.PlanContext;
import dev.kiln.plan.Problem;
import dev.kiln.plan.ProviderCatalog;
import dev.kiln.plan.Target;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Checks a plan's targets against what the providers know ({@link PlanContext#catalogs()}): the
 * provider ids, their regions and the limits a plan may override. Nothing is checked when the
 * context names no providers.
 */
final class ProviderChecks {

    private final PlanContext ctx;
    private final Problems problems;

    ProviderChecks(PlanContext ctx, Problems problems) {
        this.ctx = ctx;
        this.problems = problems;
    }

    /**
     * The catalog of the entry's provider, or null when the context names no providers (anything
     * goes) or this one is unknown (reported here, once per entry).
     */
    ProviderCatalog catalogOf(PlanDraft.TargetDraft t) {
        Map<String, ProviderCatalog> catalogs = ctx.catalogs();
        if (catalogs.isEmpty() || !Planner.isProviderId(t.provider())) {
            return null;
        }
        ProviderCatalog catalog = catalogs.get(t.provider());
        if (catalog == null) {
            problems.add(Messages.unknownProviderId(t.sites().at("provider"), t.provider(),
                    meantProvider(t.provider()), new TreeSet<>(catalogs.keySet())));
        }
        return catalog;
    }

    /** The provider a mistaken id stands for: one whose alias it is, else the nearest id or alias. */
    private Optional<String> meantProvider(String typed) {
        Map<String, String> names = new LinkedHashMap<>();
        for (ProviderCatalog c : ctx.catalogs().values()) {
            names.putIfAbsent(c.provider(), c.provider());
            c.aliases().forEach(a -> names.putIfAbsent(a, c.provider()));
        }
        if (names.containsKey(typed)) {
            return Optional.of(names.get(typed));
        }
        return Suggest.closest(typed, names.keySet()).map(names::get);
    }

    static Problem unknownRegion(Site site, String region, ProviderCatalog catalog) {
        // Sorted, so that of equally near regions the first in order is suggested: us-east-1 for us-east-9.
        Optional<String> meant = Suggest.closest(region, new TreeSet<>(catalog.regions()));
        List<String> nearest = catalog.regions().size() <= 50 ? new ArrayList<>(new TreeSet<>(catalog.regions()))
                : catalog.regions().stream()
                        .sorted(Comparator.comparingInt((String r) -> Suggest.distance(region, r))
                                .thenComparing(Comparator.naturalOrder()))
                        .limit(8).toList();
        return Messages.unknownRegion(site, region, catalog.provider(), catalog.regionWord(), catalog.regionSource(),
                meant, nearest, catalog.regions().size());
    }

    /** Reports every name of {@code limits} the provider does not have on {@code target}. */
    void limits(Collection<String> limits, Target target, ProviderCatalog catalog, Function<String, Site> siteOf) {
        if (!catalog.listsLimits()) {
            return;
        }
        for (String name : limits) {
            if (catalog.knowsLimit(target, name)) {
                continue;
            }
            Optional<ProviderCatalog> owner = ctx.catalogs().values().stream()
                    .filter(c -> c != catalog && c.listsLimits() && c.knowsLimit(target, name)).findFirst();
            String known = catalog.limitsInWords(target);
            Site site = siteOf.apply(name);
            problems.add(owner.isPresent()
                    ? Messages.limitOfAnotherProvider(site, catalog.provider(), owner.get().provider(), known)
                    : Messages.unknownLimit(site, catalog.provider(), Suggest.closest(name, catalog.limits(target)),
                            known));
        }
    }

    /** Limits overridden by scope key ({@code aws}, {@code aws/123}), checked on the first target they reach. */
    void scopedLimits(PlanDraft draft, List<Target> targets) {
        if (ctx.catalogs().isEmpty()) {
            return;
        }
        for (var scope : draft.limitOverrides().entrySet()) {
            String key = scope.getKey();
            Optional<Target> reached = targets.stream().filter(t -> t.key().equals(key)
                    || t.key().startsWith(key + "/")).findFirst();
            ProviderCatalog catalog = reached.map(t -> ctx.catalogs().get(t.provider())).orElse(null);
            if (catalog != null) {
                limits(scope.getValue().keySet(), reached.get(), catalog,
                        name -> draft.sites().at("limitOverride(" + key + ", " + name + ")"));
            }
        }
    }
}
