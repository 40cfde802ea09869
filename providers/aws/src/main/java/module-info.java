/**
 * Kiln's AWS provider. Exports only {@code dev.kiln.aws}; the SDK modules are automatic modules
 * (their jars name themselves with {@code Automatic-Module-Name}). Tools find the provider through
 * the {@code ProviderFactory} it provides.
 */
module dev.kiln.aws {
    requires transitive dev.kiln.core;
    requires transitive software.amazon.awssdk.auth;
    requires transitive software.amazon.awssdk.core;
    requires software.amazon.awssdk.awscore;
    requires software.amazon.awssdk.regions;
    requires software.amazon.awssdk.retries.api;
    requires software.amazon.awssdk.http;
    requires software.amazon.awssdk.http.urlconnection;
    requires software.amazon.awssdk.identity.spi;
    requires software.amazon.awssdk.utils;
    requires software.amazon.awssdk.services.ec2;
    requires software.amazon.awssdk.services.servicequotas;
    requires org.slf4j;

    exports dev.kiln.aws;

    provides dev.kiln.spi.ProviderFactory with dev.kiln.aws.internal.AwsProviderFactory;
}
