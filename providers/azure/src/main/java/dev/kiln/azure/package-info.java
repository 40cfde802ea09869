/**
 * Kiln's provider for Azure: {@link dev.kiln.azure.AzureProvider}. Everything under
 * {@code dev.kiln.azure.internal} is private to this module and may change with any release.
 */
package dev.kiln.azure;
