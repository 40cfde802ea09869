/** The in-memory coordination store, for one process. Not exported. */
package dev.kiln.internal.coordination;
