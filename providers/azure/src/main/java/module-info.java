/**
 * Kiln's Azure provider. Exports only {@code dev.kiln.azure}; the Azure SDK's jars are named
 * modules. The HTTP client (azure-core-http-netty) is not required: azure-core finds it as a
 * service. Tools find the provider through the {@code ProviderFactory} it provides.
 */
module dev.kiln.azure {
    requires transitive dev.kiln.core;
    requires transitive com.azure.core.management;
    requires com.azure.identity;
    requires com.azure.resourcemanager.compute;
    requires reactor.core;
    requires org.slf4j;

    exports dev.kiln.azure;

    provides dev.kiln.spi.ProviderFactory with dev.kiln.azure.internal.AzureProviderFactory;
}
