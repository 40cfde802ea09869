package dev.kiln.emulators.spi;

import dev.kiln.emulators.spi.EmulatorServer.Request;
import java.util.List;
import java.util.Objects;

/**
 * One request on its way through an emulator's {@link Protocol}: the request, whom and where it is
 * journaled under (what its protocol could tell before routing, then the routed {@link Call}'s),
 * and what the limits drew from. A protocol subclasses it to keep what it read off the request.
 */
public class Exchange {

    private final Request request;
    private String account;
    private String region;
    private String action;
    private Query query;
    private List<ApiLimits.Drawn> drawn = List.of();

    /**
     * @param account whom a refusal before routing is journaled under
     * @param region  where; null for {@code global}
     * @param action  what; e.g. {@code GET /some/path}
     */
    protected Exchange(Request request, String account, String region, String action) {
        this.request = Objects.requireNonNull(request, "request");
        this.account = Objects.requireNonNull(account, "account");
        this.region = region;
        this.action = Objects.requireNonNull(action, "action");
    }

    public final Request request() {
        return request;
    }

    /** The request's query string, parsed once. */
    public final Query query() {
        if (query == null) {
            query = Query.parse(request.rawQuery());
        }
        return query;
    }

    public final String account() {
        return account;
    }

    /** The region, or null for none. */
    public final String region() {
        return region;
    }

    public final String action() {
        return action;
    }

    /** The limits the call drew from and what they hold now; empty before the limits were charged. */
    public final List<ApiLimits.Drawn> drawn() {
        return drawn;
    }

    final void routedTo(Call call) {
        this.account = call.account();
        this.region = call.region();
        this.action = call.action();
    }

    final void drew(List<ApiLimits.Drawn> limits) {
        this.drawn = limits;
    }
}
