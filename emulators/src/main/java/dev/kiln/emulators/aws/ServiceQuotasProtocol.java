package dev.kiln.emulators.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Service Quotas over JSON 1.1 ({@code X-Amz-Target: ServiceQuotasV20190624.<Operation>}), the EC2
 * emulator's second protocol on the same port, world, faults, limits and journal:
 * GetServiceQuota, GetAWSDefaultServiceQuota and ListServiceQuotas for the quotas Kiln reads. Its
 * operations draw from the service's own buckets, one token a call.
 */
final class ServiceQuotasProtocol implements Protocol<ServiceQuotasProtocol.QuotasExchange> {

    static final String TARGET_PREFIX = "ServiceQuotasV20190624.";
    private static final String JSON_TYPE = "application/x-amz-json-1.1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> OPERATIONS = List.of("GetServiceQuota", "GetAWSDefaultServiceQuota",
            "ListServiceQuotas");

    private record Quota(String serviceCode, String serviceName, String code, String name, boolean adjustable,
            String usageResource) {
    }

    private static final List<Quota> QUOTAS = List.of(
            new Quota("ec2", "Amazon Elastic Compute Cloud (Amazon EC2)", Ec2Emulator.VCPU_QUOTA_CODE,
                    "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", true, "vCPU"),
            new Quota("ec2", "Amazon Elastic Compute Cloud (Amazon EC2)", Ec2Emulator.AMI_QUOTA_CODE, "AMIs", true,
                    null),
            new Quota("ec2", "Amazon Elastic Compute Cloud (Amazon EC2)", "L-0E3CBAB9", "Public AMIs", true, null),
            new Quota("ebs", "Amazon Elastic Block Store (Amazon EBS)", "L-309BACF6", "Snapshots per Region", true,
                    null));

    /** A Service Quotas request: its target and, once read, its JSON body. */
    static final class QuotasExchange extends Exchange {
        final String target;
        private JsonNode body;

        QuotasExchange(Request request, Caller caller, String target, String operation) {
            super(request, caller.account(), caller.region(), operation);
            this.target = target;
        }

        JsonNode body() {
            if (body == null) {
                body = parse(request().body());
            }
            return body;
        }
    }

    private final Ec2Config config;

    ServiceQuotasProtocol(Ec2Config config) {
        this.config = config;
    }

    @Override
    public QuotasExchange open(Request request) {
        String target = request.header("X-Amz-Target");
        String operation = target.startsWith(TARGET_PREFIX) ? target.substring(TARGET_PREFIX.length()) : target;
        return new QuotasExchange(request, Caller.of(request, null, config), target, operation);
    }

    @Override
    public Call route(QuotasExchange x) {
        if (!x.target.startsWith(TARGET_PREFIX)) {
            throw new Failure(400, "UnknownOperationException", "Unknown target " + x.target, Outcome.ERROR);
        }
        String operation = x.action();
        if (!OPERATIONS.contains(operation)) {
            return new Call(operation, x.account(), x.region(), null, () -> {
                throw new Failure(400, "UnknownOperationException", "Unknown operation " + operation, Outcome.ERROR);
            });
        }
        return new Call(operation, x.account(), x.region(), operation, () -> {
            ObjectNode answer = switch (operation) {
                case "GetServiceQuota" -> single(x.body(), x, false);
                case "GetAWSDefaultServiceQuota" -> single(x.body(), x, true);
                default -> list(x.body(), x);
            };
            try {
                return Answer.ok(Response.of(200, JSON_TYPE, JSON.writeValueAsString(answer)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The body is read after fault injection, before the buckets: a malformed one costs no token. */
    @Override
    public void admit(Call call, QuotasExchange x) {
        x.body();
    }

    @Override
    public ApiError injected(Faults.Effect effect, QuotasExchange x) {
        return switch (effect) {
            case OUTAGE -> new Failure(503, "ServiceException", "Service Quotas is unavailable. Try again later.",
                    Outcome.INJECTED_FAULT);
            case THROTTLE -> new Failure(400, "TooManyRequestsException", "Rate exceeded", Outcome.INJECTED_FAULT);
            default -> new Failure(500, "ServiceException", "Something went wrong.", Outcome.INJECTED_FAULT);
        };
    }

    @Override
    public ApiError throttled(ApiLimits.Refusal refusal, QuotasExchange x) {
        return new Failure(400, "TooManyRequestsException", "Rate exceeded", Outcome.THROTTLED);
    }

    @Override
    public String limitNamespace() {
        return "servicequotas:";
    }

    @Override
    public Response render(ApiError error, QuotasExchange x) {
        ObjectNode body = JSON.createObjectNode().put("__type", error.code()).put("message", error.getMessage());
        return Response.of(error.status(), JSON_TYPE, body.toString());
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) {
                throw new Failure(400, "SerializationException", "The request body must be a JSON object",
                        Outcome.ERROR);
            }
            return n;
        } catch (IOException e) {
            throw new Failure(400, "SerializationException", "The request body is not valid JSON", Outcome.ERROR);
        }
    }

    private static String required(JsonNode body, String field) {
        String v = body.path(field).asText("");
        if (v.isEmpty()) {
            throw new Failure(400, "IllegalArgumentException", "1 validation error detected: Value null at '"
                    + Character.toLowerCase(field.charAt(0)) + field.substring(1)
                    + "' failed to satisfy constraint: Member must not be null", Outcome.ERROR);
        }
        return v;
    }

    private ObjectNode single(JsonNode body, Exchange caller, boolean awsDefault) {
        String service = required(body, "ServiceCode");
        String code = required(body, "QuotaCode");
        for (Quota q : QUOTAS) {
            if (q.serviceCode.equals(service) && q.code.equals(code)) {
                ObjectNode out = JSON.createObjectNode();
                out.set("Quota", render(q, caller, awsDefault));
                return out;
            }
        }
        throw new Failure(400, "NoSuchResourceException", "The request failed because the specified service quota does"
                + " not exist.", Outcome.ERROR);
    }

    private ObjectNode list(JsonNode body, Exchange caller) {
        String service = required(body, "ServiceCode");
        List<Quota> matching = new ArrayList<>();
        for (Quota q : QUOTAS) {
            if (q.serviceCode.equals(service)) {
                matching.add(q);
            }
        }
        if (matching.isEmpty()) {
            throw new Failure(400, "NoSuchResourceException", "The request failed because the specified service does"
                    + " not exist.", Outcome.ERROR);
        }
        int max = body.path("MaxResults").asInt(100);
        if (max < 1 || max > 100) {
            throw new Failure(400, "IllegalArgumentException", "MaxResults must be between 1 and 100",
                    Outcome.ERROR);
        }
        int from = 0;
        String token = body.path("NextToken").asText("");
        if (!token.isEmpty()) {
            try {
                from = Integer.parseInt(token.substring(token.indexOf(':') + 1));
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                throw new Failure(400, "InvalidPaginationTokenException", "Invalid pagination token", Outcome.ERROR);
            }
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode quotas = out.putArray("Quotas");
        int to = Math.min(matching.size(), from + max);
        for (int i = Math.max(0, from); i < to; i++) {
            quotas.add(render(matching.get(i), caller, false));
        }
        if (to < matching.size()) {
            out.put("NextToken", service + ":" + to);
        }
        return out;
    }

    private ObjectNode render(Quota q, Exchange caller, boolean awsDefault) {
        double value = switch (q.code) {
            case Ec2Emulator.VCPU_QUOTA_CODE -> awsDefault ? 5 : config.vcpuQuota(caller.account(), caller.region());
            case Ec2Emulator.AMI_QUOTA_CODE -> awsDefault ? 50000 : config.amiQuota();
            case "L-0E3CBAB9" -> 5;
            default -> 100000;
        };
        ObjectNode n = JSON.createObjectNode().put("ServiceCode", q.serviceCode).put("ServiceName", q.serviceName)
                .put("QuotaArn", "arn:aws:servicequotas:" + caller.region() + ":" + (awsDefault ? "" : caller.account())
                        + ":" + q.serviceCode + "/" + q.code)
                .put("QuotaCode", q.code).put("QuotaName", q.name).put("Value", value).put("Unit", "None")
                .put("Adjustable", q.adjustable).put("GlobalQuota", false);
        if (q.usageResource != null) {
            ObjectNode usage = n.putObject("UsageMetric").put("MetricNamespace", "AWS/Usage")
                    .put("MetricName", "ResourceCount").put("MetricStatisticRecommendation", "Maximum");
            usage.putObject("MetricDimensions").put("Class", "Standard/OnDemand").put("Resource", q.usageResource)
                    .put("Service", "EC2").put("Type", "Resource");
        }
        return n;
    }

    /** An error answer of the JSON protocol; its code is the {@code __type}. */
    private static final class Failure extends ApiError {
        private static final long serialVersionUID = 1L;

        Failure(int status, String type, String message, Outcome outcome) {
            super(status, type, message, outcome);
        }
    }
}
