package dev.kiln.testkit.aws;

import dev.kiln.testkit.ApiCall;
import dev.kiln.testkit.ApiCounters;
import dev.kiln.testkit.ApiCounters.Outcome;
import dev.kiln.testkit.Faults;
import dev.kiln.testkit.spi.CallJournal;
import dev.kiln.testkit.spi.EmulatorServer;
import dev.kiln.testkit.spi.EmulatorServer.Request;
import dev.kiln.testkit.spi.EmulatorServer.Response;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads EC2 Query requests off the wire and answers them: fault injection first, then the action
 * must be known, then the token buckets, then DryRun, then the action itself. Service Quotas
 * requests (JSON 1.1, told apart by {@code X-Amz-Target}) go to their own handler.
 */
final class Ec2Handler implements EmulatorServer.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(Ec2Emulator.class);
    private static final String XML = "text/xml;charset=UTF-8";

    private final Ec2Config config;
    private final Ec2World world;
    private final Ec2Actions actions;
    private final Ec2Limits limits;
    private final Faults faults;
    private final ApiCounters counters;
    private final CallJournal journal;
    private final ServiceQuotasHandler quotas;
    private final Set<String> unknownActions = ConcurrentHashMap.newKeySet();

    Ec2Handler(Ec2Config config, Ec2World world, Ec2Limits limits, Faults faults, ApiCounters counters,
            CallJournal journal) {
        this.config = config;
        this.world = world;
        this.actions = new Ec2Actions();
        this.limits = limits;
        this.faults = faults;
        this.counters = counters;
        this.journal = journal;
        this.quotas = new ServiceQuotasHandler(config, limits, faults, this::record);
    }

    Set<String> actionNames() {
        return actions.names();
    }

    Set<String> unknownActions() {
        return Set.copyOf(unknownActions);
    }

    void forgetUnknownActions() {
        unknownActions.clear();
    }

    @Override
    public Response handle(Request request) throws InterruptedException {
        if (request.header("X-Amz-Target") != null) {
            return quotas.handle(request, Caller.of(request, null, config));
        }
        boolean form = "POST".equals(request.method());
        QueryParams params = QueryParams.parse(request.rawQuery(), form ? request.bodyText() : null);
        Caller caller = Caller.of(request, params, config);
        String action = params.get("Action");
        String requestId = world.requestId();
        try {
            if (action == null || action.isEmpty()) {
                action = "(none)";
                throw Ec2Error.client("MissingAction", "The request must contain the parameter Action");
            }
            switch (faults.apply(action)) {
                case OUTAGE -> throw new Ec2Error(503, "ServiceUnavailable",
                        "The request has failed due to a temporary failure of the server.", Outcome.INJECTED_FAULT);
                case ERROR -> throw new Ec2Error(500, "InternalError", "An internal error has occurred.",
                        Outcome.INJECTED_FAULT);
                case THROTTLE -> throw new Ec2Error(503, "RequestLimitExceeded", "Request limit exceeded.",
                        Outcome.INJECTED_FAULT);
                case RESET -> {
                    record(caller, action, 0, "ConnectionReset", Outcome.INJECTED_FAULT);
                    throw new EmulatorServer.ConnectionReset();
                }
                case NONE -> { }
            }
            if (!actions.knows(action)) {
                if (unknownActions.add(action)) {
                    LOG.warn("EC2 emulator: unknown action {} (parameters {}) answered InvalidAction", action,
                            params.names());
                }
                throw Ec2Error.client("InvalidAction", "The action " + action + " is not valid for this web service.");
            }
            limits.charge(caller.account(), caller.region(), action, params);
            if (params.flag("DryRun")) {
                throw new Ec2Error(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.",
                        Outcome.OK);
            }
            Ec2Region region = world.region(caller.account(), caller.region());
            String body = actions.run(new Call(world, region, action, params, requestId));
            record(caller, action, 200, null, Outcome.OK);
            return Response.of(200, XML, body);
        } catch (Ec2Error e) {
            record(caller, action, e.status, e.code, e.outcome);
            return Response.of(e.status, XML, Xml.error(e.code, e.getMessage(), requestId));
        }
    }

    void record(Caller caller, String action, int status, String errorCode, Outcome outcome) {
        counters.record(action, outcome);
        journal.add(new ApiCall(world.now(), Ec2Emulator.PROVIDER, caller.account(), caller.region(), action, status,
                errorCode));
    }
}
