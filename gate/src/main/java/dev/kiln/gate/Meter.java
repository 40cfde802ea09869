package dev.kiln.gate;

/**
 * Kiln's hold on each intercepted call: {@link #before} runs before the call goes upstream and may
 * block until Kiln's limits allow it; {@link #after} runs once its response was relayed to packer.
 *
 * <p>Both run on the gate's thread for that connection, for every intercepted request, whichever
 * client sent it; implementations must be thread-safe. A {@code before} that throws makes the gate
 * answer 502 without calling the upstream (and {@link GateEvent.HookFailed} is published); an
 * {@code after} that throws is reported the same way and changes nothing for packer.
 *
 * <p>The requests and responses handed to a meter carry credentials (bearer tokens, signatures,
 * client secrets in forms); their {@code toString()} leaves them out, and a meter must not log them
 * by other means.
 */
public interface Meter {

    /**
     * Called before {@code request} goes upstream; may block (Kiln holds a call here until its token
     * bucket allows it). Interrupted when the gate closes.
     */
    default void before(GateRequest request) throws InterruptedException {
    }

    /** Called after {@code response} was relayed to packer, or the gate answered for the upstream. */
    default void after(GateRequest request, GateResponse response) {
    }

    /** A meter that neither holds nor counts. */
    static Meter none() {
        return new Meter() {
        };
    }
}
