package dev.kiln.emulators.spi;

import java.util.Objects;

/**
 * What a request was routed to: the action it is counted, journaled and fault-injected under, who
 * makes it and where, the api class it charges in the emulator's {@link dev.kiln.limits.LimitsTable},
 * and the work that answers it.
 *
 * @param action  the provider's name of the operation, e.g. {@code RunInstances}, {@code instances.insert}
 * @param account the account, subscription, project or vCenter the call acts in
 * @param region  the region it addresses; null for none (journaled as {@code global}; regional limits are not charged)
 * @param api     the api class whose limits the call charges, or null when it charges none
 */
public record Call(String action, String account, String region, String api, Work work) {

    /** Answers the call, once fault injection and the limits let it through. */
    @FunctionalInterface
    public interface Work {
        /** Throws the emulator's {@link ApiError} for its error answers. */
        Answer run() throws InterruptedException;
    }

    public Call {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(work, "work");
    }
}
