package dev.kiln.gate.internal;

import dev.kiln.gate.GateHeaders;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tells a client's retries from its first attempts. The AWS SDKs say so ({@code amz-sdk-request:
 * attempt=N}); the others do not, so a request identical (method, host, target, body) to one of the
 * same client whose last answer was a 429, a 5xx or a gate failure counts as its next attempt.
 * Polling the same URL after a success is not a retry.
 */
final class Attempts {

    private static final int REMEMBERED = 256;

    private final Map<Long, Integer> failed = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Integer> eldest) {
            return size() > REMEMBERED;
        }
    };

    static long fingerprint(String method, String host, String target, byte[] body) {
        long h = 1125899906842597L;
        h = mix(h, method);
        h = mix(h, host);
        h = mix(h, target);
        for (byte b : body) {
            h = 31 * h + b;
        }
        return 31 * h + body.length;
    }

    private static long mix(long h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h = 31 * h + s.charAt(i);
        }
        return 31 * h + 0x1f;
    }

    synchronized int attemptOf(long fingerprint, GateHeaders headers) {
        int remembered = failed.getOrDefault(fingerprint, 0) + 1;
        return Math.max(remembered, sdkAttempt(headers));
    }

    synchronized void answered(long fingerprint, int attempt, int status, boolean byGate) {
        if (byGate || status == 429 || status >= 500) {
            failed.put(fingerprint, attempt);
        } else {
            failed.remove(fingerprint);
        }
    }

    private static int sdkAttempt(GateHeaders headers) {
        return headers.first("amz-sdk-request").map(value -> {
            for (String part : value.split(";")) {
                String p = part.trim();
                if (p.startsWith("attempt=")) {
                    try {
                        return Math.max(1, Integer.parseInt(p.substring("attempt=".length()).trim()));
                    } catch (NumberFormatException e) {
                        return 1;
                    }
                }
            }
            return 1;
        }).orElse(1);
    }
}
