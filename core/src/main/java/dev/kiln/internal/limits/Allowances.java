package dev.kiln.internal.limits;

import dev.kiln.limits.LimitKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What admission prepaid for metered builds, by build and limit: a metered build's calls draw from
 * here first and charge the shared limit only beyond it, so a call admission already paid for (a
 * start or teardown burst) is never charged twice. A bucket's allowance lasts the build's life; a
 * fixed window's only the window it was counted in (and the next, when the burst was counted in
 * both because it could spill over).
 *
 * <p>Also the calls of each token bucket that a build's packer has sent and whose answer has not
 * come back: the cloud may not have counted them yet, so, like what was prepaid and not drawn,
 * they are charged to Kiln's bucket and not yet to the cloud's.
 *
 * <p>Thread-safe: admission grants on the run's loop, the network's threads draw.
 */
public final class Allowances {

    private static final class Grant {
        double calls;
        /** Sent and not answered (token buckets only). */
        double inFlight;
        final Instant window;
        final Instant spill;

        Grant(double calls, Instant window, Instant spill) {
            this.calls = calls;
            this.window = window;
            this.spill = spill;
        }

        boolean validIn(Instant current) {
            return window == null || window.equals(current) || current.equals(spill);
        }
    }

    private final Map<String, Map<LimitKey, Grant>> byHolder = new HashMap<>();

    /**
     * {@code holder} may make {@code calls} calls of {@code key} without charging it again: in any
     * window when {@code window} is null (a bucket), else in {@code window} or {@code spill}.
     */
    public synchronized void grant(String holder, LimitKey key, double calls, Instant window, Instant spill) {
        if (calls > 0) {
            byHolder.computeIfAbsent(holder, h -> new LinkedHashMap<>()).put(key, new Grant(calls, window, spill));
        }
    }

    /** Takes up to {@code calls} of {@code holder}'s allowance of {@code key} valid in {@code window}; what it took. */
    public synchronized double draw(String holder, LimitKey key, double calls, Instant window) {
        Grant g = grant(holder, key);
        if (g == null || !g.validIn(window)) {
            return 0;
        }
        double drawn = Math.min(calls, g.calls);
        g.calls -= drawn;
        return drawn;
    }

    /**
     * Forfeits up to {@code calls} of the allowances of {@code key}, {@code first}'s before the
     * others': a bucket that refilled to its capacity cannot hold the prepaid calls on top, and
     * neither can the provider's. Returns what it cut of each holder.
     */
    public synchronized Map<String, Double> trim(LimitKey key, double calls, String first) {
        Map<String, Double> cut = new LinkedHashMap<>();
        double left = calls;
        Grant own = grant(first, key);
        if (own != null && own.calls > 0) {
            double c = Math.min(left, own.calls);
            own.calls -= c;
            left -= c;
            cut.put(first, c);
        }
        for (var e : byHolder.entrySet()) {
            if (left <= 0) {
                break;
            }
            Grant g = e.getValue().get(key);
            if (g != null && g.calls > 0) {
                double c = Math.min(left, g.calls);
                g.calls -= c;
                left -= c;
                cut.merge(e.getKey(), c, Double::sum);
            }
        }
        return cut;
    }

    /** {@code holder}, a metered build, is running: its calls are kept until {@link #release}. */
    public synchronized void open(String holder) {
        byHolder.computeIfAbsent(holder, h -> new LinkedHashMap<>());
    }

    /** Whether {@code holder} is running: opened, and not released since. */
    public synchronized boolean isOpen(String holder) {
        return byHolder.containsKey(holder);
    }

    /**
     * {@code holder} sends a call charging {@code calls} of the token bucket {@code key}: up to
     * {@code prepaid} of it drawn from its allowance, the rest already taken from the bucket. All of
     * it is in flight until {@link #answered}. False, and nothing kept, when the holder is not open:
     * a call its packer made as the build ended, whose answer no one will report.
     */
    public synchronized boolean sent(String holder, LimitKey key, double calls, double prepaid) {
        Map<LimitKey, Grant> grants = byHolder.get(holder);
        if (grants == null) {
            return false;
        }
        Grant g = grants.computeIfAbsent(key, k -> new Grant(0, null, null));
        g.calls -= Math.min(prepaid, g.calls);
        g.inFlight += calls;
        return true;
    }

    /** The answer to {@code holder}'s call charging {@code calls} of {@code key} came back; false if it is gone. */
    public synchronized boolean answered(String holder, LimitKey key, double calls) {
        Grant g = grant(holder, key);
        if (g == null) {
            return false;
        }
        g.inFlight = Math.max(0, g.inFlight - calls);
        return true;
    }

    /**
     * What {@code holder} was charged of the token bucket {@code key} that the cloud may not have
     * counted yet: prepaid and not drawn, sent and not answered.
     */
    public synchronized double uncounted(String holder, LimitKey key) {
        Grant g = grant(holder, key);
        return g == null ? 0 : g.calls + g.inFlight;
    }

    /** What {@code holder} may still draw of {@code key}, in calls. */
    public synchronized double held(String holder, LimitKey key) {
        Grant g = grant(holder, key);
        return g == null ? 0 : g.calls;
    }

    /** The provider throttled {@code key}: what was prepaid for it is as spent as its bucket; the holders it emptied. */
    public synchronized Set<String> drain(LimitKey key) {
        Set<String> drained = new LinkedHashSet<>();
        for (var e : byHolder.entrySet()) {
            Grant g = e.getValue().get(key);
            if (g != null && g.calls > 0) {
                g.calls = 0;
                drained.add(e.getKey());
            }
        }
        return drained;
    }

    /** Forgets {@code holder}'s allowances; returns what was left undrawn of its bucket allowances, in calls. */
    public synchronized Map<LimitKey, Double> release(String holder) {
        Map<LimitKey, Grant> grants = byHolder.remove(holder);
        Map<LimitKey, Double> left = new LinkedHashMap<>();
        if (grants != null) {
            grants.forEach((key, g) -> {
                if (g.window == null && g.calls > 0) {
                    left.put(key, g.calls);
                }
            });
        }
        return left;
    }

    private Grant grant(String holder, LimitKey key) {
        Map<LimitKey, Grant> grants = byHolder.get(holder);
        return grants == null ? null : grants.get(key);
    }
}
