package dev.kiln.emulators.aws;

import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.Faults;
import dev.kiln.emulators.spi.Answer;
import dev.kiln.emulators.spi.ApiError;
import dev.kiln.emulators.spi.ApiLimits;
import dev.kiln.emulators.spi.Call;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import dev.kiln.emulators.spi.Exchange;
import dev.kiln.emulators.spi.Protocol;
import dev.kiln.limits.Charge;
import dev.kiln.limits.ProviderDefaults;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * EC2's Query protocol: {@code Action=...} with its parameters in the query string or a form body,
 * answered in XML. The route table is {@link Ec2Actions}, by action name; an action it does not
 * know is refused {@code InvalidAction} once fault injection has had its say. DryRun is answered
 * after the buckets are charged, as EC2 does.
 *
 * <p>The seven "unfiltered and unpaginated" describes draw from their small bucket only when
 * called that way; called with a filter, ids or paging they draw from a bucket of the ordinary
 * non-mutating size, named {@code <Action>.filtered}. Resource buckets count the instances a call
 * affects.
 */
final class Ec2Protocol implements Protocol<Ec2Protocol.Ec2Exchange> {

    private static final Logger LOG = LoggerFactory.getLogger(Ec2Emulator.class);
    private static final String XML = "text/xml;charset=UTF-8";
    private static final Set<String> UNFILTERED = Set.of("DescribeInstances", "DescribeInstanceStatus",
            "DescribeNetworkInterfaces", "DescribeSecurityGroups", "DescribeSnapshots", "DescribeSpotInstanceRequests",
            "DescribeVolumes");
    private static final Set<String> PLAIN = Set.of("Action", "Version", "DryRun");

    /** An EC2 request: its parameters, its caller and its request id. */
    static final class Ec2Exchange extends Exchange {
        final QueryParams params;
        final String requestId;

        Ec2Exchange(Request request, QueryParams params, Caller caller, String action, String requestId) {
            super(request, caller.account(), caller.region(), action);
            this.params = params;
            this.requestId = requestId;
        }
    }

    private final Ec2Config config;
    private final Ec2World world;
    private final Ec2Actions actions = new Ec2Actions();
    private final Predicate<String> firstUnknown;

    /** {@code firstUnknown} notes an unknown action and tells whether it is new. */
    Ec2Protocol(Ec2Config config, Ec2World world, Predicate<String> firstUnknown) {
        this.config = config;
        this.world = world;
        this.firstUnknown = firstUnknown;
    }

    Set<String> actionNames() {
        return actions.names();
    }

    @Override
    public Ec2Exchange open(Request request) {
        boolean form = "POST".equals(request.method());
        QueryParams params = QueryParams.parse(request.rawQuery(), form ? request.bodyText() : null);
        String action = params.get("Action");
        return new Ec2Exchange(request, params, Caller.of(request, params, config),
                action == null || action.isEmpty() ? "(none)" : action, world.requestId());
    }

    @Override
    public Call route(Ec2Exchange x) {
        String action = x.params.get("Action");
        if (action == null || action.isEmpty()) {
            throw Ec2Error.client("MissingAction", "The request must contain the parameter Action");
        }
        if (!actions.knows(action)) {
            return new Call(action, x.account(), x.region(), null, () -> {
                if (firstUnknown.test(action)) {
                    LOG.warn("EC2 emulator: unknown action {} (parameters {}) answered InvalidAction", action,
                            x.params.names());
                }
                throw Ec2Error.client("InvalidAction", "The action " + action + " is not valid for this web service.");
            });
        }
        return new Call(action, x.account(), x.region(), api(action, x.params), () -> {
            if (x.params.flag("DryRun")) {
                throw new Ec2Error(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.",
                        Outcome.OK);
            }
            Ec2Region region = world.region(x.account(), x.region());
            String body = actions.run(new Ec2Call(world, region, action, x.params, x.requestId));
            return Answer.ok(Response.of(200, XML, body));
        });
    }

    /** The api class a call charges: its action, or {@code <Action>.filtered} for a filtered unfiltered describe. */
    private static String api(String action, QueryParams params) {
        if (UNFILTERED.contains(action) && params.names().stream().anyMatch(n -> !PLAIN.contains(n))) {
            return action + ".filtered";
        }
        return action;
    }

    @Override
    public ApiError injected(Faults.Effect effect, Ec2Exchange x) {
        return switch (effect) {
            case OUTAGE -> new Ec2Error(503, "ServiceUnavailable",
                    "The request has failed due to a temporary failure of the server.", Outcome.INJECTED_FAULT);
            case THROTTLE -> new Ec2Error(503, "RequestLimitExceeded", "Request limit exceeded.",
                    Outcome.INJECTED_FAULT);
            default -> new Ec2Error(500, "InternalError", "An internal error has occurred.", Outcome.INJECTED_FAULT);
        };
    }

    /** Resource buckets count the instances a call affects; request buckets one token a call. */
    @Override
    public long tokens(Charge charge, Ec2Exchange x) {
        if (!charge.limit().equals(ProviderDefaults.ec2ResourceBucket(x.action()))) {
            return Protocol.super.tokens(charge, x);
        }
        if (x.action().equals("RunInstances")) {
            return Math.max(1, x.params.integer("MaxCount", 1));
        }
        return Math.max(1, x.params.list("InstanceId").size());
    }

    @Override
    public ApiError throttled(ApiLimits.Refusal refusal, Ec2Exchange x) {
        return Ec2Error.throttled();
    }

    @Override
    public Response render(ApiError error, Ec2Exchange x) {
        return Response.of(error.status(), XML, Xml.error(error.code(), error.getMessage(), x.requestId));
    }
}
