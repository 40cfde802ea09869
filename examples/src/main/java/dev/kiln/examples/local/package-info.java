/**
 * A custom provider in its smallest honest form: images packer builds into directories on this machine
 * ({@code provider: local}), found by tools through its {@code ProviderFactory}.
 */
package dev.kiln.examples.local;
