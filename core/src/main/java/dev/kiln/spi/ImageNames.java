package dev.kiln.spi;

/**
 * Image names reserved by runs, unique within a scope (an AWS account and region, a GCP project,
 * ...), so that two runs never build the same name.
 *
 * <p>Stability: evolving SPI; part of {@link Coordination}.
 */
public interface ImageNames {

    /** Reserves {@code name} within {@code scope} for {@code owner}; false when someone else holds it. */
    boolean tryReserve(String scope, String name, String owner);

    /** Gives a name back, if {@code owner} holds it. */
    void release(String scope, String name, String owner);
}
