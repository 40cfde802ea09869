package dev.kiln.internal.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.KilnException;
import dev.kiln.job.FailureClass;
import dev.kiln.job.JobState;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a job ended, as a node records it in the coordination store for the other nodes of its run
 * (and other runs waiting on an identical build) to take.
 *
 * @param state    SUCCEEDED, FAILED, ...
 * @param node     the node that built it
 * @param run      the run it was built in
 * @param job      the job's id
 * @param image    the image name
 * @param failure  its classified failure, or null
 * @param message  its last message
 * @param verified the artifacts verified
 * @param at       when it was recorded
 */
record Outcome(JobState state, String node, String run, String job, String image, FailureClass failure,
               String message, List<String> verified, Instant at) {

    private static final ObjectMapper JSON = new ObjectMapper();

    Outcome {
        verified = List.copyOf(verified);
    }

    /** Whether it was recorded at or after {@code since}: not a leftover of an earlier build. */
    boolean recordedSince(Instant since) {
        return at != null && !at.isBefore(since);
    }

    /** Who built it, as a person reads it: "node n2", or "run r7 on node n2" for another run. */
    String by(boolean sameRun) {
        return sameRun ? "node " + node : "run " + run + " on node " + node;
    }

    String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", state.name());
        m.put("node", node);
        m.put("run", run);
        m.put("job", job);
        m.put("image", image);
        m.put("failure", failure == null ? null : failure.name());
        m.put("message", message);
        m.put("verified", verified);
        m.put("at", at == null ? null : at.toString());
        return write(m);
    }

    static Outcome parse(String json) {
        Map<String, Object> m = read(json);
        Object failure = m.get("failure");
        Object at = m.get("at");
        List<String> verified = new ArrayList<>();
        if (m.get("verified") instanceof List<?> list) {
            list.forEach(v -> verified.add(String.valueOf(v)));
        }
        try {
            return new Outcome(JobState.valueOf(String.valueOf(m.get("state"))), string(m.get("node")),
                    string(m.get("run")), string(m.get("job")), string(m.get("image")),
                    failure == null ? null : FailureClass.valueOf(failure.toString()), string(m.get("message")),
                    verified, at == null ? null : Instant.parse(at.toString()));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new KilnException("unreadable outcome in the coordination store: " + e.getMessage(), e);
        }
    }

    /** Any small map as JSON (quota usage of a shared run's first probe). */
    static String write(Map<String, ?> value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.keySet(), e);
        }
    }

    /** What {@link #write} wrote. */
    static Map<String, Object> read(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new KilnException("unreadable outcome in the coordination store: " + e.getOriginalMessage(), e);
        }
    }

    private static String string(Object o) {
        return o == null ? null : o.toString();
    }
}
