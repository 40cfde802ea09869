package dev.kiln.plan;

import dev.kiln.limits.Limit;
import dev.kiln.limits.LimitsTable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What one provider accepts in a plan's targets, known without credentials or calls: its id and
 * the other names people use for it, its regions (or that they are free-form, as vSphere's hosts
 * are), and the limits a plan may override. A plan read with catalogs in its {@link PlanContext}
 * is checked against them, so a typo is refused while planning, offline too, with what was
 * probably meant.
 *
 * <p>Each provider knows its own: from its SDK where the SDK lists regions and operations, from a
 * list it keeps otherwise. Providers hand theirs out through
 * {@link dev.kiln.spi.CloudProvider#catalog()} and {@link dev.kiln.spi.ProviderFactory#catalog()}.
 * A catalog that says nothing ({@link #open}) accepts every region and limit name.
 *
 * <pre>{@code
 * ProviderCatalog.builder("aws")
 *         .aliases("amazon", "ec2")
 *         .regions("the AWS SDK's list", sdkRegionIds)
 *         .limits(ProviderDefaults.aws())
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ProviderCatalog {

    private final String provider;
    private final Set<String> aliases;
    private final String regionWord;
    private final String regionSource;
    private final Set<String> regions;
    private final Function<Target, Set<String>> limits;
    private final List<String> limitPrefixes;
    private final String limitsInWords;

    private ProviderCatalog(Builder b) {
        this.provider = b.provider;
        this.aliases = Set.copyOf(b.aliases);
        this.regionWord = b.regionWord;
        this.regionSource = b.regionSource;
        this.regions = b.regions == null ? null : Set.copyOf(b.regions);
        List<Function<Target, Collection<String>>> sources = List.copyOf(b.limits);
        this.limits = sources.isEmpty() ? null : target -> {
            Set<String> names = new LinkedHashSet<>();
            sources.forEach(s -> names.addAll(s.apply(target)));
            return names;
        };
        this.limitPrefixes = List.copyOf(b.limitPrefixes);
        this.limitsInWords = b.limitsInWords;
    }

    /** Starts a catalog of {@code provider}: free-form regions and any limit name until told otherwise. */
    public static Builder builder(String provider) {
        return new Builder(provider);
    }

    /** A catalog that accepts every region and every limit name: for providers that keep no lists. */
    public static ProviderCatalog open(String provider) {
        return builder(provider).build();
    }

    /** The provider id plans use. */
    public String provider() {
        return provider;
    }

    /** Other names for the provider that a plan may use by mistake ({@code gcloud} for {@code gcp}). */
    public Set<String> aliases() {
        return aliases;
    }

    /** What the provider calls a target's region: {@code region}, {@code location}, {@code host}. */
    public String regionWord() {
        return regionWord;
    }

    /** Where the list of regions comes from, for messages: {@code the AWS SDK's list}. */
    public String regionSource() {
        return regionSource;
    }

    /** Whether any region name of the right shape is accepted (vSphere hosts and clusters). */
    public boolean freeFormRegions() {
        return regions == null;
    }

    /** The regions the provider has; empty when they are {@linkplain #freeFormRegions free-form}. */
    public Set<String> regions() {
        return regions == null ? Set.of() : regions;
    }

    /** Whether {@code region} is one of the provider's, or regions are free-form. */
    public boolean knowsRegion(String region) {
        return regions == null || regions.contains(region);
    }

    /** Whether the catalog lists limit names at all; an open catalog accepts every name. */
    public boolean listsLimits() {
        return limits != null || !limitPrefixes.isEmpty();
    }

    /** The limits a plan may override on {@code target}; empty when the catalog does not list them. */
    public Set<String> limits(Target target) {
        return limits == null ? Set.of() : limits.apply(target);
    }

    /** Whether a plan may override the limit {@code name} on {@code target}. */
    public boolean knowsLimit(Target target, String name) {
        if (!listsLimits() || limitPrefixes.stream().anyMatch(p -> name.startsWith(p) && name.length() > p.length())) {
            return true;
        }
        return limits != null && limits.apply(target).contains(name);
    }

    /** The limits of {@code target} in words, for a message saying what is allowed. */
    public String limitsInWords(Target target) {
        if (limitsInWords != null) {
            return limitsInWords;
        }
        List<String> words = new ArrayList<>(new TreeSet<>(limits(target)));
        limitPrefixes.forEach(p -> words.add(p + "<name>"));
        return String.join(", ", words);
    }

    @Override
    public String toString() {
        return "ProviderCatalog[" + provider + ", " + (regions == null ? "free-form " + regionWord + "s"
                : regions.size() + " " + regionWord + "s") + "]";
    }

    /** Builds a {@link ProviderCatalog}; not thread-safe. */
    public static final class Builder {
        private final String provider;
        private final Set<String> aliases = new LinkedHashSet<>();
        private String regionWord = "region";
        private String regionSource = "";
        private Set<String> regions;
        private final List<Function<Target, Collection<String>>> limits = new ArrayList<>();
        private final List<String> limitPrefixes = new ArrayList<>();
        private String limitsInWords;

        private Builder(String provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
        }

        /** Other names for the provider, each suggested as this one when a plan uses it. */
        public Builder aliases(String... names) {
            aliases.addAll(List.of(names));
            return this;
        }

        /** What a target's region is called: {@code region} unless told otherwise. */
        public Builder regionWord(String word) {
            this.regionWord = Objects.requireNonNull(word, "word");
            return this;
        }

        /** The provider's regions, and where the list comes from (for messages). */
        public Builder regions(String source, Collection<String> names) {
            this.regionSource = Objects.requireNonNull(source, "source");
            this.regions = new LinkedHashSet<>(names);
            return this;
        }

        /** Region names are free-form, e.g. vSphere hosts; only their shape is checked. */
        public Builder freeFormRegions() {
            this.regions = null;
            this.regionSource = "";
            return this;
        }

        /** Limits a plan may override on every target. */
        public Builder limits(Collection<String> names) {
            List<String> copy = List.copyOf(names);
            limits.add(target -> copy);
            return this;
        }

        /** The limits {@code table} declares, on every target. */
        public Builder limits(LimitsTable table) {
            return limits(table.declaredLimits().stream().map(Limit::name).toList());
        }

        /** Limits that depend on the target, e.g. one named after its datastore. */
        public Builder limits(Function<Target, Collection<String>> names) {
            limits.add(Objects.requireNonNull(names, "names"));
            return this;
        }

        /**
         * Every limit named {@code prefix} and something more, e.g. {@code vcenter.datastore.} and the
         * name of any datastore.
         */
        public Builder limitPrefix(String prefix) {
            limitPrefixes.add(Objects.requireNonNull(prefix, "prefix"));
            return this;
        }

        /** How messages describe the limits, when listing every name would not help (hundreds of API actions). */
        public Builder limitsInWords(String words) {
            this.limitsInWords = Objects.requireNonNull(words, "words");
            return this;
        }

        public ProviderCatalog build() {
            return new ProviderCatalog(this);
        }
    }
}
