package dev.kiln.gcp.internal;

import com.google.cloud.compute.v1.Error;
import com.google.cloud.compute.v1.Errors;
import com.google.cloud.compute.v1.Operation;
import dev.kiln.KilnException;
import dev.kiln.plan.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Waits for zonal, regional and global operations by polling {@code operations.get} through the gate (one
 * {@code operation.get} call each), at the provider's poll interval, on the run's time source.
 */
public final class Operations {

    private final ComputeClients clients;
    private final Calls calls;
    private final GcpSettings settings;

    public Operations(ComputeClients clients, Calls calls, GcpSettings settings) {
        this.clients = clients;
        this.calls = calls;
        this.settings = settings;
    }

    /**
     * Waits until every operation is {@code DONE} or the provider's operation timeout passes.
     *
     * @return by operation, null when it succeeded, else what went wrong
     */
    public Map<Operation, String> awaitAll(Target target, List<Operation> operations) {
        Map<Operation, String> outcome = new LinkedHashMap<>();
        Map<Operation, Operation> latest = new LinkedHashMap<>();
        operations.forEach(op -> latest.put(op, op));
        long deadline = calls.time().nanoTime() + settings.operationTimeout().toNanos();
        while (true) {
            List<Operation> pending = new ArrayList<>();
            for (var e : latest.entrySet()) {
                if (outcome.containsKey(e.getKey())) {
                    continue;
                }
                Operation now = e.getValue();
                if (now.getStatus() == Operation.Status.DONE) {
                    outcome.put(e.getKey(), errorOf(now));
                } else {
                    pending.add(e.getKey());
                }
            }
            if (pending.isEmpty()) {
                return outcome;
            }
            if (calls.time().nanoTime() >= deadline) {
                for (Operation op : pending) {
                    outcome.put(op, "operation " + op.getName() + " on " + op.getTargetLink() + " was still "
                            + latest.get(op).getStatus() + " after " + settings.operationTimeout().toSeconds() + " s");
                }
                return outcome;
            }
            try {
                calls.time().sleep(settings.operationPoll());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KilnException("interrupted while waiting for Compute Engine operations in project '"
                        + target.account() + "'", e);
            }
            for (Operation op : pending) {
                latest.put(op, poll(target, latest.get(op)));
            }
        }
    }

    /** Waits for one operation; null when it succeeded, else what went wrong. */
    public String await(Target target, Operation operation) {
        return awaitAll(target, List.of(operation)).get(operation);
    }

    private Operation poll(Target target, Operation op) {
        String project = target.account();
        if (!op.getZone().isEmpty()) {
            String zone = lastSegment(op.getZone());
            return calls.call(target, "operation.get", "zoneOperations.get",
                    () -> clients.zoneOperations().get(project, zone, op.getName()));
        }
        if (!op.getRegion().isEmpty()) {
            String region = lastSegment(op.getRegion());
            return calls.call(target, "operation.get", "regionOperations.get",
                    () -> clients.regionOperations().get(project, region, op.getName()));
        }
        return calls.call(target, "operation.get", "globalOperations.get",
                () -> clients.globalOperations().get(project, op.getName()));
    }

    private static String errorOf(Operation op) {
        if (!op.hasError()) {
            return null;
        }
        Error error = op.getError();
        if (error.getErrorsCount() == 0) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (Errors e : error.getErrorsList()) {
            parts.add(e.getCode() + ": " + e.getMessage());
        }
        return String.join("; ", parts);
    }

    static String lastSegment(String url) {
        int slash = url.lastIndexOf('/');
        return slash < 0 ? url : url.substring(slash + 1);
    }
}
