package dev.kiln.plan;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where a build runs: a provider, an account (AWS account, Azure subscription, GCP project,
 * vCenter) and a region (AWS/Azure/GCP region, or a vSphere host or cluster), plus
 * provider-specific options such as an Azure resource group or a vSphere datastore.
 *
 * @param provider provider id, e.g. {@code aws}
 * @param account  account, subscription, project or vCenter
 * @param region   region, or host/cluster for vSphere
 * @param options  provider-specific settings (never secrets: those come from the environment)
 */
public record Target(String provider, String account, String region, Map<String, String> options) {

    public Target {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(region, "region");
        options = Map.copyOf(options == null ? Map.of() : options);
    }

    public static Target of(String provider, String account, String region) {
        return new Target(provider, account, region, Map.of());
    }

    /** {@code provider/account/region}: how targets are named in events, reports and keys. */
    public String key() {
        return provider + "/" + account + "/" + region;
    }

    /** {@code provider/account}: the account-wide scope shared by all regions. */
    public String accountKey() {
        return provider + "/" + account;
    }

    public String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    /** Written out: a record's generated equality goes through method handles, slow where only C1 compiles (kiln plan). */
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof Target t && provider.equals(t.provider) && account.equals(t.account)
                && region.equals(t.region) && options.equals(t.options);
    }

    @Override
    public int hashCode() {
        return ((provider.hashCode() * 31 + account.hashCode()) * 31 + region.hashCode()) * 31 + options.hashCode();
    }

    @Override
    public String toString() {
        return options.isEmpty() ? key() : key() + new TreeMap<>(options);
    }
}
