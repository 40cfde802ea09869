package dev.kiln.gate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * HTTP header fields as they were received: ordered, names compared without case, immutable.
 *
 * <p>{@link #toString()} lists the names only: header values carry credentials (an
 * {@code Authorization} bearer token, an AWS signature) and must never reach a log.
 */
public final class GateHeaders {

    private static final GateHeaders EMPTY = new GateHeaders(List.of(), List.of());

    private final List<String> names;
    private final List<String> values;

    private GateHeaders(List<String> names, List<String> values) {
        this.names = names;
        this.values = values;
    }

    /** No fields. */
    public static GateHeaders empty() {
        return EMPTY;
    }

    /** Fields from alternating names and values: {@code of("Host", "example.com", "Accept", "*}{@code /*")}. */
    public static GateHeaders of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must alternate; got an odd count: "
                    + namesAndValues.length);
        }
        Builder builder = builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            builder.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return builder.build();
    }

    /** A builder that keeps fields in the order they are added. */
    public static Builder builder() {
        return new Builder();
    }

    /** The first value of {@code name}, compared without case. */
    public Optional<String> first(String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                return Optional.of(values.get(i));
            }
        }
        return Optional.empty();
    }

    /** Every value of {@code name}, in order received. */
    public List<String> all(String name) {
        List<String> found = new ArrayList<>(1);
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                found.add(values.get(i));
            }
        }
        return Collections.unmodifiableList(found);
    }

    /** Whether a field named {@code name} is present. */
    public boolean contains(String name) {
        return first(name).isPresent();
    }

    /** The distinct field names, lowercased, in order of first appearance. */
    public Set<String> names() {
        Set<String> distinct = new LinkedHashSet<>();
        names.forEach(n -> distinct.add(n.toLowerCase(Locale.ROOT)));
        return Collections.unmodifiableSet(distinct);
    }

    /** The number of fields, repeated names counted each time. */
    public int size() {
        return names.size();
    }

    /** Every field in order, with the name as received. */
    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < names.size(); i++) {
            action.accept(names.get(i), values.get(i));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GateHeaders other && names.equals(other.names) && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(names, values);
    }

    /** The field names only, never their values. */
    @Override
    public String toString() {
        return "GateHeaders" + names();
    }

    /** Collects fields for {@link GateHeaders}; {@link #build()} copies them. */
    public static final class Builder {
        private final List<String> names = new ArrayList<>();
        private final List<String> values = new ArrayList<>();

        private Builder() {
        }

        /** Adds one field; a repeated name keeps both values. */
        public Builder add(String name, String value) {
            names.add(Objects.requireNonNull(name, "name"));
            values.add(Objects.requireNonNull(value, "value"));
            return this;
        }

        /** An immutable copy of the fields added so far. */
        public GateHeaders build() {
            return names.isEmpty() ? EMPTY : new GateHeaders(List.copyOf(names), List.copyOf(values));
        }
    }
}
