package dev.kiln.emulators.vsphere;

import dev.kiln.time.TimeSource;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * vCenter API sessions: created with basic authentication, named by a token the client sends back
 * in {@code vmware-api-session-id}, ended by logout or by staying idle past the timeout (on the
 * emulator's time source). When every session is taken, a login answers 503, as vCenter does.
 */
final class Sessions {

    record Session(String token, String user, Instant created, Instant lastAccessed, long lastUsedNanos) {
    }

    private final TimeSource time;
    private final int limit;
    private final long idleNanos;
    private final long seed;
    private final Map<String, Session> byToken = new LinkedHashMap<>();
    private SplittableRandom random;

    Sessions(TimeSource time, int limit, long idleNanos, long seed) {
        this.time = time;
        this.limit = limit;
        this.idleNanos = idleNanos;
        this.seed = seed;
        this.random = new SplittableRandom(seed ^ 0x5E55_1011L);
    }

    synchronized String create(String user) {
        expire();
        if (byToken.size() >= limit) {
            throw new VapiError(VapiError.Type.SERVICE_UNAVAILABLE, "vapi.session.limit.exceeded",
                    "The maximum number of sessions (" + limit + ") has been reached. Log out idle sessions or try"
                            + " again later.");
        }
        String token = String.format("%016x%016x", random.nextLong(), random.nextLong());
        Instant now = time.now();
        byToken.put(token, new Session(token, user, now, now, time.nanoTime()));
        return token;
    }

    /** The session of {@code token}, marked as used now; null when there is none (or it timed out). */
    synchronized Session touch(String token) {
        if (token == null) {
            return null;
        }
        expire();
        Session s = byToken.get(token);
        if (s == null) {
            return null;
        }
        Session used = new Session(s.token(), s.user(), s.created(), time.now(), time.nanoTime());
        byToken.put(token, used);
        return s;
    }

    synchronized boolean delete(String token) {
        return token != null && byToken.remove(token) != null;
    }

    synchronized int open() {
        expire();
        return byToken.size();
    }

    synchronized void reset() {
        byToken.clear();
        random = new SplittableRandom(seed ^ 0x5E55_1011L);
    }

    private void expire() {
        long now = time.nanoTime();
        for (Iterator<Session> it = byToken.values().iterator(); it.hasNext();) {
            if (now - it.next().lastUsedNanos() > idleNanos) {
                it.remove();
            }
        }
    }
}
