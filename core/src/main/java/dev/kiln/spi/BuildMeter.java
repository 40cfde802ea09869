package dev.kiln.spi;

/**
 * Kiln's hold and count on the API calls of one build attempt, which a {@link BuildNetwork} calls
 * for each call it carries. Kiln implements it; networks call it, from any thread, concurrently.
 *
 * <p>Stability: evolving SPI.
 */
public interface BuildMeter {

    /**
     * Before {@code request} goes to the cloud: returns when Kiln's limits allow it. Blocks while the
     * limits of its API class are spent; throws {@link InterruptedException} when the network closes.
     */
    void before(ApiRequest request) throws InterruptedException;

    /** After {@code response} was relayed to packer (or the network answered for the cloud). */
    void after(ApiRequest request, ApiResponse response);

    /**
     * The network could not carry one of this build's calls: an unknown host, a proxy that refused
     * it, a certificate rejected. {@code message} is one line that names the host and what to do;
     * Kiln reports it as the cause when the build fails.
     */
    void problem(String host, String message);

    /** A meter that neither holds nor counts. */
    static BuildMeter none() {
        return new BuildMeter() {
            @Override
            public void before(ApiRequest request) {
            }

            @Override
            public void after(ApiRequest request, ApiResponse response) {
            }

            @Override
            public void problem(String host, String message) {
            }
        };
    }
}
