package dev.kiln.azure.internal;

import com.azure.core.management.Region;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.plan.ProviderCatalog;

/**
 * What plans may name with {@code provider: azure}: the locations the Azure SDK knows
 * ({@link Region#values()}, read once, before Kiln itself names any other) and the ARM and Compute
 * limits of {@link ProviderDefaults#azure()}.
 */
public final class AzureCatalog {

    private static final ProviderCatalog CATALOG = ProviderCatalog.builder("azure")
            .aliases("azurerm", "azure-arm", "arm", "microsoft")
            .regionWord("location")
            .regions("the Azure SDK's list", Region.values().stream().map(Region::name).toList())
            .limits(ProviderDefaults.azure())
            .build();

    private AzureCatalog() {
    }

    public static ProviderCatalog catalog() {
        return CATALOG;
    }
}
