/** The Azure provider's implementation. Not exported: nothing here is API. */
package dev.kiln.azure.internal;
