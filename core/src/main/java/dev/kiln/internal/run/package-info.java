/** One run: its loop, its jobs, its journal and the gates providers call through. Not exported. */
package dev.kiln.internal.run;
