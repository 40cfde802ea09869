package dev.kiln.testkit.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.testkit.ApiCounters.Outcome;
import dev.kiln.testkit.Faults;
import dev.kiln.testkit.spi.EmulatorServer;
import dev.kiln.testkit.spi.EmulatorServer.Request;
import dev.kiln.testkit.spi.EmulatorServer.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Service Quotas over JSON 1.1 ({@code X-Amz-Target: ServiceQuotasV20190624.<Operation>}):
 * GetServiceQuota, GetAWSDefaultServiceQuota and ListServiceQuotas for the quotas Kiln reads.
 */
final class ServiceQuotasHandler {

    static final String TARGET_PREFIX = "ServiceQuotasV20190624.";
    private static final String JSON_TYPE = "application/x-amz-json-1.1";
    private static final ObjectMapper JSON = new ObjectMapper();

    @FunctionalInterface
    interface Recorder {
        void record(Caller caller, String operation, int status, String errorCode, Outcome outcome);
    }

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

    private final Ec2Config config;
    private final Ec2Limits limits;
    private final Faults faults;
    private final Recorder recorder;

    ServiceQuotasHandler(Ec2Config config, Ec2Limits limits, Faults faults, Recorder recorder) {
        this.config = config;
        this.limits = limits;
        this.faults = faults;
        this.recorder = recorder;
    }

    Response handle(Request request, Caller caller) throws InterruptedException {
        String target = request.header("X-Amz-Target");
        String operation = target.startsWith(TARGET_PREFIX) ? target.substring(TARGET_PREFIX.length()) : target;
        try {
            if (!target.startsWith(TARGET_PREFIX)) {
                throw new Failure(400, "UnknownOperationException", "Unknown target " + target, Outcome.ERROR);
            }
            switch (faults.apply(operation)) {
                case OUTAGE -> throw new Failure(503, "ServiceException", "Service Quotas is unavailable. Try again"
                        + " later.", Outcome.INJECTED_FAULT);
                case ERROR -> throw new Failure(500, "ServiceException", "Something went wrong.",
                        Outcome.INJECTED_FAULT);
                case THROTTLE -> throw new Failure(400, "TooManyRequestsException", "Rate exceeded",
                        Outcome.INJECTED_FAULT);
                case RESET -> {
                    recorder.record(caller, operation, 0, "ConnectionReset", Outcome.INJECTED_FAULT);
                    throw new EmulatorServer.ConnectionReset();
                }
                case NONE -> { }
            }
            JsonNode body = parse(request.body());
            if (!List.of("GetServiceQuota", "GetAWSDefaultServiceQuota", "ListServiceQuotas").contains(operation)) {
                throw new Failure(400, "UnknownOperationException", "Unknown operation " + operation, Outcome.ERROR);
            }
            if (!limits.tryServiceQuotas(caller.account(), caller.region(), operation)) {
                throw new Failure(400, "TooManyRequestsException", "Rate exceeded", Outcome.THROTTLED);
            }
            ObjectNode answer = switch (operation) {
                case "GetServiceQuota" -> single(body, caller, false);
                case "GetAWSDefaultServiceQuota" -> single(body, caller, true);
                default -> list(body, caller);
            };
            recorder.record(caller, operation, 200, null, Outcome.OK);
            return Response.of(200, JSON_TYPE, JSON.writeValueAsString(answer));
        } catch (Failure f) {
            recorder.record(caller, operation, f.status, f.type, f.outcome);
            ObjectNode error = JSON.createObjectNode().put("__type", f.type).put("message", f.getMessage());
            return Response.of(f.status, JSON_TYPE, error.toString());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
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

    private ObjectNode single(JsonNode body, Caller caller, boolean awsDefault) {
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

    private ObjectNode list(JsonNode body, Caller caller) {
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

    private ObjectNode render(Quota q, Caller caller, boolean awsDefault) {
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

    /** An error answer of the JSON protocol. */
    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String type;
        final transient Outcome outcome;

        Failure(int status, String type, String message, Outcome outcome) {
            super(message, null, false, false);
            this.status = status;
            this.type = type;
            this.outcome = outcome;
        }
    }
}
