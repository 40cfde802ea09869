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
 * <p>Thread-safe: admission grants on the run's loop, the network's threads draw.
 */
public final class Allowances {

    private static final class Grant {
        double calls;
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
     * Forfeits {@code calls} of the allowances of {@code key}, {@code first}'s before the others': a
     * bucket that refilled to its capacity cannot hold the prepaid calls on top, and neither can the
     * provider's. Returns what each holder it cut has left.
     */
    public synchronized Map<String, Double> trim(LimitKey key, double calls, String first) {
        Map<String, Double> trimmed = new LinkedHashMap<>();
        double left = calls;
        Grant own = grant(first, key);
        if (own != null && own.calls > 0) {
            double cut = Math.min(left, own.calls);
            own.calls -= cut;
            left -= cut;
            trimmed.put(first, own.calls);
        }
        for (var e : byHolder.entrySet()) {
            if (left <= 0) {
                break;
            }
            Grant g = e.getValue().get(key);
            if (g != null && g.calls > 0) {
                double cut = Math.min(left, g.calls);
                g.calls -= cut;
                left -= cut;
                trimmed.put(e.getKey(), g.calls);
            }
        }
        return trimmed;
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
