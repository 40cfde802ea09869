package dev.kiln.emulators.spi;

import dev.kiln.emulators.Faults;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import dev.kiln.limits.Charge;

/**
 * One wire protocol of an emulator: how its requests are routed to {@link Call}s and how its
 * errors read. {@link EmulatorBase#pipeline} runs every protocol the same way:
 *
 * <ol>
 *   <li>{@link #open}: what can be told before routing (whom a refusal is journaled under);
 *   <li>{@link #route}: the call, through the protocol's route table, or an {@link ApiError};
 *   <li>fault injection under the call's action ({@link #injected}, {@link #resetCode});
 *   <li>{@link #admit}: the protocol's own checks before anything is charged;
 *   <li>the limits of the call's api class ({@link #tokens}, {@link #throttled});
 *   <li>the call's work; every answer and error counted and journaled;
 *   <li>{@link #answered} on success, {@link #render} on an error.
 * </ol>
 *
 * One emulator may speak several protocols over the same world, faults, limits and journal (EC2
 * and Service Quotas); {@link Mounts} chooses one per request.
 *
 * @param <X> what the protocol keeps of a request
 */
public interface Protocol<X extends Exchange> {

    /** Reads what the protocol needs of {@code request} before routing it. */
    X open(Request request);

    /** The call the request is: the route table's answer, or the protocol's refusal thrown. */
    Call route(X exchange);

    /** The protocol's answer to an injected {@link Faults.Effect#OUTAGE OUTAGE}, {@code ERROR} or {@code THROTTLE}. */
    ApiError injected(Faults.Effect effect, X exchange);

    /** The error code journaled for a connection closed by fault injection. */
    default String resetCode() {
        return "ConnectionReset";
    }

    /** Checks after fault injection and before the limits are charged; throws the protocol's refusal. */
    default void admit(Call call, X exchange) {
    }

    /** Tokens {@code charge} takes for this call; by default the charge's own, at least one. */
    default long tokens(Charge charge, X exchange) {
        return Math.max(1, Math.round(charge.tokens()));
    }

    /** The protocol's answer when a limit refuses the call. */
    ApiError throttled(ApiLimits.Refusal refusal, X exchange);

    /** Keeps this protocol's limits apart from another protocol's on the same emulator; "" by default. */
    default String limitNamespace() {
        return "";
    }

    /** The successful {@code response}, with whatever the protocol adds to every answer. */
    default Response answered(Response response, X exchange) {
        return response;
    }

    /** The error format: {@code error} as the protocol answers it. */
    Response render(ApiError error, X exchange);
}
