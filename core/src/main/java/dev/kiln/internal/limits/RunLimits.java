package dev.kiln.internal.limits;

import dev.kiln.limits.AdaptiveRateConfig;
import dev.kiln.limits.Limit;
import dev.kiln.limits.LimitKey;
import dev.kiln.limits.LimitSpec;
import dev.kiln.spi.Coordination;
import dev.kiln.spi.Rates;
import dev.kiln.spi.Reservation;
import dev.kiln.spi.Reservations;
import dev.kiln.time.TimeSource;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TokensInheritanceStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * The live limits of one run: token buckets and fixed windows in the coordination store, the
 * steady polling rate every running build was granted, and the adaptive rate of each limit.
 *
 * <p>Not thread-safe: owned by the run loop. {@link #throttled} and friends are called on the
 * loop thread too (the loop posts them there).
 */
public final class RunLimits {

    /** How long packer takes to make a build's start calls; a window ending sooner shares them with the next. */
    private static final Duration START_SPREAD = Duration.ofSeconds(30);

    /** A bucket's refill never drops below this share of its rate, however much polling is reserved. */
    private static final double MIN_REFILL_SHARE = 0.01;

    private final TimeSource time;
    private final Rates rates;
    private final Reservations reservations;
    private final String node;
    private final AdaptiveRateConfig adaptive;
    private final double steadyShare;
    /** Every limit this run has touched, in key order (what samples report). */
    private final Map<LimitKey, State> states = new TreeMap<>();
    /** The same, by hash: admission and every build's end look limits up. */
    private final Map<LimitKey, State> index = new HashMap<>();
    /** The configuration of every token bucket in {@link #states}: what a sample of their levels reads. */
    private final Map<LimitKey, BucketConfiguration> buckets = new TreeMap<>();
    /** The states of those buckets, in the order they were first touched. */
    private final List<State> bucketStates = new ArrayList<>();
    /** The states of the other limits (fixed windows, concurrency), always sampled. */
    private final List<State> otherStates = new ArrayList<>();
    private static final Comparator<State> BY_KEY = Comparator.comparing(s -> s.key);
    /** The store's count of draws on each bucket, when it keeps one: a full bucket not drawn from is not read. */
    private final DrawCounts draws;
    private final Allowances allowances = new Allowances();
    /** Per token bucket: settling it and letting a call go on what is left happen as one. */
    private final Map<LimitKey, Object> callLocks = new ConcurrentHashMap<>();
    private final BiConsumer<LimitKey, double[]> onRateChange;

    /**
     * @param steadyShare  the share of each limit's sustained rate that running builds' polling
     *                     may take; the rest is left for start and teardown bursts
     * @param onRateChange told {@code (key, [from, to])} when the adaptive rate moves
     */
    public RunLimits(TimeSource time, Coordination store, AdaptiveRateConfig adaptive, double steadyShare,
                     BiConsumer<LimitKey, double[]> onRateChange) {
        this(time, store, Coordination.LOCAL_NODE, adaptive, steadyShare, onRateChange);
    }

    /** Limits whose reservations belong to {@code node} and lapse with it. */
    public RunLimits(TimeSource time, Coordination store, String node, AdaptiveRateConfig adaptive,
                     double steadyShare, BiConsumer<LimitKey, double[]> onRateChange) {
        this.node = node;
        if (!(steadyShare > 0 && steadyShare <= 1)) {
            throw new IllegalArgumentException("steady share must be in (0, 1], got " + steadyShare);
        }
        this.time = time;
        this.rates = store.rates();
        this.draws = rates instanceof DrawCounts d ? d : null;
        this.reservations = store.reservations();
        this.adaptive = adaptive;
        this.steadyShare = steadyShare;
        this.onRateChange = onRateChange;
    }

    /** A single build's steady rate that can never fit a limit, if any: preflight refuses it. */
    public String neverFits(JobBudget budget) {
        for (var e : budget.ratePerSecond().entrySet()) {
            Limit limit = budget.limits().get(e.getKey());
            double sustained = limit.spec().sustainedPerSecond() * steadyShare;
            if (e.getValue() > sustained) {
                return "polls " + fmt(e.getValue() * 60) + " calls/min of " + e.getKey() + " but its limit sustains "
                        + fmt(sustained * 60) + " calls/min for polling";
            }
        }
        for (var e : budget.holds().entrySet()) {
            LimitSpec.Concurrency c = (LimitSpec.Concurrency) budget.limits().get(e.getKey()).spec();
            if (e.getValue() > c.maxCost()) {
                return "holds cost " + e.getValue() + " of " + e.getKey() + " whose maximum is " + c.maxCost();
            }
        }
        return null;
    }

    /**
     * Tries to admit a build: reserve its quota, concurrency cost and polling rate, and charge its
     * bursts, all or nothing.
     */
    public Admission tryAdmit(String holder, JobBudget budget, List<Reservation> quota) {
        return tryAdmit(holder, budget, quota, false);
    }

    /**
     * As {@link #tryAdmit(String, JobBudget, List)}; a {@code metered} build's calls are charged as
     * Kiln's network sees them: its bursts become its {@link #allowances() allowance}, and its
     * polling is charged call by call instead of lowering the refill of the buckets it uses (its rate
     * is still reserved, so admission keeps room for it).
     */
    public Admission tryAdmit(String holder, JobBudget budget, List<Reservation> quota, boolean metered) {
        long now = time.nanoTime();
        for (LimitKey key : budget.limits().keySet()) {
            State s = index.get(key);
            if (s != null) {
                s.chargeAccrued(now);
            }
        }
        List<Reservation> items = new ArrayList<>(quota);
        for (var e : budget.holds().entrySet()) {
            LimitSpec.Concurrency c = (LimitSpec.Concurrency) state(e.getKey(), budget.limits().get(e.getKey()))
                    .limit.spec();
            items.add(new Reservation(e.getKey(), e.getValue(), c.maxCost()));
        }
        for (var e : budget.ratePerSecond().entrySet()) {
            State s = state(e.getKey(), budget.limits().get(e.getKey()));
            items.add(new Reservation(rateKey(e.getKey()), milliPerMinute(e.getValue()),
                    (long) Math.floor(s.sustained() * steadyShare * 60_000)));
            if (!metered) {
                items.add(new Reservation(pollKey(e.getKey()), milliPerMinute(e.getValue()), Long.MAX_VALUE));
            }
        }
        for (var e : budget.teardownCalls().entrySet()) {
            if (budget.limits().get(e.getKey()).spec() instanceof LimitSpec.FixedWindow) {
                // A window cannot be paid in advance: the teardown lands in whatever window the build
                // ends in, so every window keeps room for the teardowns of all running builds.
                items.add(new Reservation(teardownKey(e.getKey()), Units.ofCalls(e.getValue()), Long.MAX_VALUE));
            }
        }
        if (!reservations.tryReserve(node, holder, items)) {
            Set<String> shortOf = new LinkedHashSet<>();
            for (Reservation r : items) {
                if (reservations.reserved(r.key()) + r.amount() > r.capacity()) {
                    shortOf.add(r.key().toString());
                }
            }
            return Admission.untilRelease(shortOf, "waiting for " + describeShort(shortOf));
        }

        long wait = 0;
        Set<String> shortOf = new LinkedHashSet<>();
        for (var e : budget.burstCalls().entrySet()) {
            State s = state(e.getKey(), budget.limits().get(e.getKey()));
            long w = s.nanosUntil(chargeNow(budget, e.getKey()));
            if (w > 0) {
                shortOf.add(e.getKey().toString());
                wait = Math.max(wait, w);
            }
        }
        if (wait > 0) {
            reservations.release(holder);
            return Admission.waitFor(wait, shortOf, "waiting for API budget of " + describeShort(shortOf));
        }
        List<Runnable> refunds = new ArrayList<>();
        if (metered) {
            allowances.open(holder);
        }
        for (var e : budget.burstCalls().entrySet()) {
            State s = index.get(e.getKey());
            Runnable refund;
            // A bucket's charge and its allowance change together, as the network's threads see them.
            synchronized (callLock(e.getKey())) {
                refund = s.tryCharge(chargeNow(budget, e.getKey()));
                if (refund != null && metered) {
                    grant(holder, budget, e.getKey(), s);
                }
            }
            if (refund == null) {
                refunds.forEach(Runnable::run);
                allowances.release(holder);
                reservations.release(holder);
                return Admission.waitFor(1, Set.of(e.getKey().toString()),
                        "waiting for API budget of " + e.getKey() + " (taken by another run)");
            }
            refunds.add(refund);
        }
        for (var e : budget.ratePerSecond().entrySet()) {
            State s = index.get(e.getKey());
            s.runningRate += e.getValue();
            if (!metered) {
                s.accruingRate += e.getValue();
            }
            s.syncRefill();
        }
        return Admission.ADMITTED;
    }

    /**
     * A metered build may draw what admission charged for it, in the window(s) it was counted in. A
     * bucket's allowance is also recorded, as {@link #uncountedKey}, where every node sharing the
     * store sees it: see {@link #tryRelease}.
     */
    private void grant(String holder, JobBudget budget, LimitKey key, State s) {
        double paid = chargeNow(budget, key);
        if (s.limit.spec() instanceof LimitSpec.FixedWindow fw) {
            Window w = s.window(fw);
            allowances.grant(holder, key, paid, w.start, s.spillsOver(fw, w) ? w.start.plus(fw.window()) : null);
        } else {
            // A burst larger than the bucket was charged only as far as the bucket holds.
            LimitSpec.TokenBucket tb = (LimitSpec.TokenBucket) s.limit.spec();
            allowances.grant(holder, key, Math.min(paid, tb.capacity()), null, null);
            publishUncounted(holder, key);
        }
    }

    /**
     * Lets one of {@code holder}'s packer's calls, charging {@code calls} of the token bucket
     * {@code key}, go to the cloud if the cloud's bucket is sure to hold it whenever it arrives:
     * drawn from what admission prepaid the build first, the rest taken from Kiln's bucket, all or
     * nothing. Returns 0 when the call went, else the nanoseconds to wait before trying again.
     * {@link #answered} must follow once the cloud's answer is back.
     *
     * <p>The cloud counts a call when it arrives, not when Kiln lets it go, and calls let go in
     * order can arrive bunched (a loaded machine, a slow connection). Kiln's bucket therefore
     * refills as the cloud's would if each call were counted only when its answer comes back, the
     * latest the cloud can have counted it: Kiln's tokens plus every call charged and not yet
     * counted (prepaid and not drawn, sent and not answered), of every build on every node sharing
     * the store (the {@link #uncountedKey} reservations), are never more than the capacity. What
     * passes that is the refill the cloud's bucket, full while those calls were on their way, could
     * not take; it is forfeited, from the calling build's allowance first, then other builds' on
     * this node, then Kiln's bucket. A call goes only on tokens left after that, so the cloud's
     * bucket holds at least Kiln's tokens, the allowances and the calls still on their way, however
     * late each one arrives. Called from the network's threads.
     */
    public long tryRelease(String holder, LimitKey key, LimitSpec.TokenBucket tb, double calls) {
        Bucket bucket = rates.bucket(key, Units.configuration(tb, tb.refillPerSecond()));
        synchronized (callLock(key)) {
            long tokens = settle(holder, key, tb, bucket);
            double prepaid = Math.min(calls, allowances.held(holder, key));
            long owed = Units.ofCalls(calls - prepaid);
            // Decided on the tokens as settled: refill since is the next settlement's to judge.
            if (tokens >= owed && (owed == 0 || bucket.tryConsume(owed))) {
                if (allowances.sent(holder, key, calls, prepaid) && owed > 0) {
                    publishUncounted(holder, key);
                }
                return 0;
            }
            long wait = bucket.estimateAbilityToConsume(Math.max(1, owed)).getNanosToWaitForRefill();
            if (tokens + reservations.reserved(uncountedKey(key)) >= tb.capacity() * Units.PER_CALL) {
                // Full with uncounted calls: what refills is forfeited again until one is answered
                // (or an allowance forfeited), so ask again after a call's refill, not a unit's.
                wait = Math.max(wait, (long) Math.ceil(1e9 / tb.refillPerSecond()));
            }
            return Math.max(1, wait);
        }
    }

    /**
     * The cloud's answer to {@code holder}'s call of {@code calls} of {@code key}, let go by
     * {@link #tryRelease}, is back: the cloud has counted it. What Kiln's bucket refilled while the
     * call could still have been on its way is settled first, as the call's charge then still
     * stood. Called from the network's threads.
     */
    public void answered(String holder, LimitKey key, LimitSpec.TokenBucket tb, double calls) {
        Bucket bucket = rates.bucket(key, Units.configuration(tb, tb.refillPerSecond()));
        synchronized (callLock(key)) {
            settle(holder, key, tb, bucket);
            if (allowances.answered(holder, key, calls)) {
                publishUncounted(holder, key);
            }
        }
    }

    /**
     * Forfeits what Kiln's bucket {@code key} and its uncounted calls hold beyond the capacity,
     * {@code holder}'s allowance first; returns the bucket's tokens after it.
     */
    private long settle(String holder, LimitKey key, LimitSpec.TokenBucket tb, Bucket bucket) {
        long tokens = bucket.getAvailableTokens();
        long excess = tokens + reservations.reserved(uncountedKey(key)) - tb.capacity() * Units.PER_CALL;
        if (excess <= 0) {
            return tokens;
        }
        Map<String, Double> cut = allowances.trim(key, Units.toCalls(excess), holder);
        cut.keySet().forEach(h -> publishUncounted(h, key));
        long rest = excess - Units.ofCalls(cut.values().stream().mapToDouble(Double::doubleValue).sum());
        if (rest > 0) {
            bucket.consumeIgnoringRateLimits(rest);
            tokens -= rest;
        }
        return tokens;
    }

    /**
     * Records {@code holder}'s uncounted calls of {@code key} for every node, while it runs. A
     * holder that ended as this wrote (its packer's last call) has its reservations released again:
     * {@link #finished} closes it before releasing them, so one of the two releases comes after this.
     */
    private void publishUncounted(String holder, LimitKey key) {
        if (!allowances.isOpen(holder)) {
            return;
        }
        reservations.tryReserve(node, holder, List.of(new Reservation(uncountedKey(key),
                Units.ofCalls(allowances.uncounted(holder, key)), Long.MAX_VALUE)));
        if (!allowances.isOpen(holder)) {
            reservations.release(holder);
        }
    }

    /** Where each build's calls of {@code key} charged and not yet counted by the cloud are recorded for every node. */
    LimitKey uncountedKey(LimitKey key) {
        return derived.computeIfAbsent(key, Derived::new).uncounted;
    }

    private Object callLock(LimitKey key) {
        return callLocks.computeIfAbsent(key, k -> new Object());
    }

    /** What metered builds were prepaid at admission and have not drawn yet. */
    public Allowances allowances() {
        return allowances;
    }

    /** What admission charges now: a bucket is paid start and teardown in advance, a window only the start. */
    private static double chargeNow(JobBudget budget, LimitKey key) {
        double burst = budget.burstCalls().get(key);
        return budget.limits().get(key).spec() instanceof LimitSpec.FixedWindow
                ? burst - budget.teardownCalls().getOrDefault(key, 0.0) : burst;
    }

    /** A build admitted with {@code budget} has finished: stop charging its polling, free what it held. */
    public void finished(String holder, JobBudget budget) {
        finished(holder, budget, false);
    }

    /**
     * As {@link #finished(String, JobBudget)}; a {@code metered} build's teardown calls were counted
     * as they were made, and what it did not draw of its allowance goes back to the buckets.
     */
    public void finished(String holder, JobBudget budget, boolean metered) {
        long now = time.nanoTime();
        for (LimitKey key : budget.limits().keySet()) {
            State s = index.get(key);
            if (s != null) {
                s.chargeAccrued(now);
            }
        }
        for (var e : metered ? Map.<LimitKey, Double>of().entrySet() : budget.teardownCalls().entrySet()) {
            State s = index.get(e.getKey());
            if (s != null && s.limit.spec() instanceof LimitSpec.FixedWindow fw) {
                rates.tryCountInWindow(e.getKey(), s.window(fw).start, (long) Math.ceil(e.getValue()), Long.MAX_VALUE);
            }
        }
        // Closed before its reservations go: a publication racing this one undoes itself (publishUncounted).
        Map<LimitKey, Double> undrawn = allowances.release(holder);
        reservations.release(holder);
        undrawn.forEach((key, calls) -> {
            State s = index.get(key);
            if (s != null && s.bucket != null) {
                s.bucket.addTokens(Units.ofCalls(calls));
            }
        });
        for (var e : budget.ratePerSecond().entrySet()) {
            State s = index.get(e.getKey());
            s.runningRate = Math.max(0, s.runningRate - e.getValue());
            if (!metered) {
                s.accruingRate = Math.max(0, s.accruingRate - e.getValue());
            }
            s.syncRefill();
        }
    }

    /** Charges the polling of running builds that has accrued since the last charge (fixed windows). */
    public void chargeAccrued(long now) {
        for (State s : states.values()) {
            s.chargeAccrued(now);
        }
    }

    /**
     * The provider throttled a call charging {@code key}: cut its rate (at most once per cooldown)
     * and empty its bucket, since the provider's own bucket is empty.
     *
     * @return the next time a recovery check is due, or -1 when nothing changed
     */
    public long throttled(LimitKey key) {
        State s = index.get(key);
        if (s == null) {
            return -1;
        }
        long now = time.nanoTime();
        s.lastThrottle = now;
        if (s.lastDecrease != Long.MIN_VALUE && now - s.lastDecrease < adaptive.cooldown().toNanos()) {
            return -1;
        }
        s.lastDecrease = now;
        s.drain();
        allowances.drain(key).forEach(h -> publishUncounted(h, key));
        double before = s.factor;
        s.setFactor(Math.max(adaptive.floorFraction(), s.factor * adaptive.decreaseFactor()));
        onRateChange.accept(key, new double[] {before * s.configured(), s.factor * s.configured()});
        return now + adaptive.quietPeriod().toNanos();
    }

    /**
     * Grows back every limit that has been quiet for a quiet period.
     *
     * @return the next time a recovery check is due, or -1 when every limit is back at its rate
     */
    public long recover() {
        long now = time.nanoTime();
        long next = -1;
        long quiet = adaptive.quietPeriod().toNanos();
        for (var e : states.entrySet()) {
            State s = e.getValue();
            if (s.factor >= 1) {
                continue;
            }
            if (now - s.lastThrottle >= quiet && now - s.lastRecovery >= quiet) {
                double before = s.factor;
                s.lastRecovery = now;
                s.setFactor(Math.min(1, s.factor + adaptive.recoveryStep()));
                onRateChange.accept(e.getKey(), new double[] {before * s.configured(), s.factor * s.configured()});
            }
            if (s.factor < 1) {
                long due = Math.max(s.lastThrottle, s.lastRecovery) + quiet;
                next = next < 0 ? due : Math.min(next, due);
            }
        }
        return next;
    }

    /** Every limit this run has touched, with its level now. */
    public List<LimitLevel> levels() {
        return levels(true);
    }

    /**
     * The levels of the limits that may have moved since the last call, or of every limit
     * ({@code all}). A limit left out is certain to be where it was reported last: a token bucket
     * that was full when last read, has not been drawn from since, and whose polling and adaptive
     * rate are unchanged (a 50,000-build plan's prediction has 9,500 limits, nearly all of them so
     * at any sample).
     */
    public List<LimitLevel> levels(boolean all) {
        long now = time.nanoTime();
        if (draws == null) {
            // One read of every bucket: a shared store answers it in one round trip, not one per bucket.
            Map<LimitKey, Long> available = buckets.isEmpty() ? Map.of()
                    : rates.availableTokens(Collections.unmodifiableMap(buckets));
            List<LimitLevel> out = new ArrayList<>(states.size());
            for (State s : states.values()) {
                out.add(s.report(now, available));
            }
            return out;
        }
        // The store counts every draw on its buckets: one that was full when last read and has not
        // been drawn from since is full now, and is neither read nor, if its rates held, reported.
        List<State> moved = new ArrayList<>();
        for (State s : bucketStates) {
            long drawn = s.drawCount.getAsLong();
            s.unread = s.drawsWhenFull >= 0 && drawn == s.drawsWhenFull;
            if (!s.unread) {
                s.drawsBeforeRead = drawn;
            }
            if (!all && !s.unchangedSinceReported()) {
                moved.add(s);
            }
        }
        Collection<State> toReport = states.values();
        if (!all) {
            moved.addAll(otherStates);
            moved.sort(BY_KEY);
            toReport = moved;
        }
        List<LimitLevel> out = new ArrayList<>(toReport.size());
        for (State s : toReport) {
            out.add(s.report(now, null));
        }
        return out;
    }

    /** The adaptive factor of {@code key}: 1.0 at its configured rate. */
    public double factor(LimitKey key) {
        State s = index.get(key);
        return s == null ? 1.0 : s.factor;
    }

    /** A limit's level for reports. */
    public record LimitLevel(LimitKey key, double available, double capacity, double runningRate,
                             double ratePerSecond) {

        /** Written out: a record's generated equality goes through method handles, slow under C1 (kiln plan). */
        @Override
        public boolean equals(Object o) {
            return this == o || o instanceof LimitLevel l && key.equals(l.key)
                    && Double.compare(available, l.available) == 0 && Double.compare(capacity, l.capacity) == 0
                    && Double.compare(runningRate, l.runningRate) == 0
                    && Double.compare(ratePerSecond, l.ratePerSecond) == 0;
        }

        @Override
        public int hashCode() {
            return Objects.hash(key, available, capacity, runningRate, ratePerSecond);
        }
    }

    private State state(LimitKey key, Limit limit) {
        State s = index.get(key);
        if (s == null) {
            s = new State(key, limit);
            states.put(key, s);
            index.put(key, s);
            if (s.configuration != null) {
                buckets.put(key, s.configuration);
                bucketStates.add(s);
            } else {
                otherStates.add(s);
            }
        }
        return s;
    }

    private LimitKey rateKey(LimitKey key) {
        return derived.computeIfAbsent(key, Derived::new).rate;
    }

    /** The polling that lowers a bucket's refill: unmetered builds' only, metered ones pay call by call. */
    private LimitKey pollKey(LimitKey key) {
        return derived.computeIfAbsent(key, Derived::new).poll;
    }

    private LimitKey teardownKey(LimitKey key) {
        return derived.computeIfAbsent(key, Derived::new).teardown;
    }

    /**
     * The keys derived from a limit's, made once: admission and every metered call look them up, and
     * a key made anew each time is a string built and hashed, and compared in full where the same
     * object would be found by identity.
     */
    private final Map<LimitKey, Derived> derived = new ConcurrentHashMap<>();

    private static final class Derived {
        final LimitKey rate;
        final LimitKey poll;
        final LimitKey teardown;
        final LimitKey uncounted;

        Derived(LimitKey key) {
            rate = new LimitKey(key.scopeKey(), "rate:" + key.name());
            poll = new LimitKey(key.scopeKey(), "poll:" + key.name());
            teardown = new LimitKey(key.scopeKey(), "teardown:" + key.name());
            uncounted = new LimitKey(key.scopeKey(), "uncounted:" + key.name());
        }
    }

    private static long milliPerMinute(double perSecond) {
        return (long) Math.ceil(perSecond * 60_000);
    }

    private static String describeShort(Set<String> keys) {
        return String.join(", ", keys);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** One limit's live state in this run. */
    private final class State {
        final LimitKey key;
        final Limit limit;
        final Bucket bucket;
        /** A token bucket's configuration at its configured rate (what the store creates it with); null otherwise. */
        final BucketConfiguration configuration;
        /** The limit's sustained rate as configured, before adaptation. */
        final double configured;
        double factor = 1.0;
        double runningRate;
        /** The polling rate of unmetered running builds, which accrues into fixed windows. */
        double accruingRate;
        long lastCharge;
        /** Accrued polling not yet counted in a fixed window, in calls. */
        double pendingUnits;
        long lastThrottle = Long.MIN_VALUE / 2;
        long lastDecrease = Long.MIN_VALUE;
        long lastRecovery = Long.MIN_VALUE / 2;
        double appliedRefill;
        /** The store's count of this bucket's draws, if it keeps one. */
        final LongSupplier drawCount;
        /** The count when this bucket was last read full; -1 when it was not. */
        long drawsWhenFull = -1;
        long drawsBeforeRead;
        /** Not read at this sample: full when last read, and not drawn from since. */
        boolean unread;
        /** Whether {@link #levels} has given this limit's level, and the rates it gave (kept here: read for every bucket at every sample). */
        boolean reported;
        double reportedRunningRate;
        double reportedRate;

        State(LimitKey key, Limit limit) {
            this.key = key;
            this.limit = limit;
            this.lastCharge = time.nanoTime();
            this.configuration = limit.spec() instanceof LimitSpec.TokenBucket tb
                    ? Units.configuration(tb, tb.refillPerSecond())
                    : null;
            this.bucket = configuration != null ? rates.bucket(key, configuration) : null;
            this.drawCount = bucket != null && draws != null ? draws.draws(key) : null;
            this.configured = limit.spec().sustainedPerSecond();
            this.appliedRefill = configured;
        }

        double configured() {
            return configured;
        }

        double sustained() {
            return configured() * factor;
        }

        void setFactor(double f) {
            factor = f;
            syncRefill();
        }

        /**
         * Running builds poll a token bucket steadily, so the bucket refills at its rate minus
         * their polling: the same level a continuous drain would leave, and no lump charges that
         * would wrongly dip below a bucket that was full. The polling rate is the sum of every
         * unmetered holder's poll reservation in the store, so runs and nodes sharing the bucket
         * agree; a metered build's polls are charged as they are made.
         */
        void syncRefill() {
            if (limit.spec() instanceof LimitSpec.TokenBucket tb) {
                double polling = reservations.reserved(pollKey(key)) / 60_000.0;
                double rate = tb.refillPerSecond() * factor;
                double refill = Math.max(rate * MIN_REFILL_SHARE, rate - polling);
                if (Math.abs(refill - appliedRefill) > 1e-9) {
                    appliedRefill = refill;
                    bucket.replaceConfiguration(Units.configuration(tb, refill), TokensInheritanceStrategy.AS_IS);
                }
            }
        }

        void drain() {
            if (bucket != null) {
                long available = bucket.getAvailableTokens();
                if (available > 0) {
                    bucket.consumeIgnoringRateLimits(available);
                }
            }
        }

        /** Nanos until {@code calls} (plus, for windows, the polling due for the rest of the window) fit. */
        long nanosUntil(double calls) {
            if (limit.spec() instanceof LimitSpec.TokenBucket tb) {
                long units = Math.min(Units.ofCalls(calls), tb.capacity() * Units.PER_CALL);
                EstimationProbe probe = bucket.estimateAbilityToConsume(units);
                return probe.canBeConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
            }
            LimitSpec.FixedWindow fw = (LimitSpec.FixedWindow) limit.spec();
            Window w = window(fw);
            long used = rates.countInWindow(key, w.start);
            // The polling reserved in the store (every run's, this build's included) will land in
            // this window before it ends: leave room for it.
            double polling = reservations.reserved(rateKey(key)) / 60_000.0;
            double teardowns = Units.toCalls(reservations.reserved(teardownKey(key)));
            double projected = used + calls + polling * w.remainingNanos / 1e9 + teardowns;
            if (projected > allowed(fw)) {
                return Math.max(1, w.remainingNanos);
            }
            if (spillsOver(fw, w)) {
                // packer makes its start calls over its first seconds: near the end of a window
                // they may land in the next one, so that one must take them too.
                double next = rates.countInWindow(key, w.start.plus(fw.window())) + calls
                        + polling * fw.window().toNanos() / 1e9 + teardowns;
                if (next > allowed(fw)) {
                    return Math.max(1, w.remainingNanos);
                }
            }
            return 0;
        }

        /** Whether a start burst admitted now may spill into the next window. */
        boolean spillsOver(LimitSpec.FixedWindow fw, Window w) {
            long spread = Math.min(START_SPREAD.toNanos(), fw.window().toNanos() / 2);
            return w.remainingNanos < spread;
        }

        /** Charges a burst; returns how to refund it, or null when it no longer fits. */
        Runnable tryCharge(double calls) {
            if (limit.spec() instanceof LimitSpec.TokenBucket tb) {
                long units = Math.min(Units.ofCalls(calls), tb.capacity() * Units.PER_CALL);
                if (!bucket.tryConsume(units)) {
                    return null;
                }
                return () -> bucket.addTokens(units);
            }
            LimitSpec.FixedWindow fw = (LimitSpec.FixedWindow) limit.spec();
            Window w = window(fw);
            long amount = (long) Math.ceil(calls);
            if (nanosUntil(calls) > 0 || rates.tryCountInWindow(key, w.start, amount, Long.MAX_VALUE) < 0) {
                return null;
            }
            if (spillsOver(fw, w)) {
                Instant next = w.start.plus(fw.window());
                rates.tryCountInWindow(key, next, amount, Long.MAX_VALUE);
                return () -> {
                    rates.tryCountInWindow(key, w.start, -amount, Long.MAX_VALUE);
                    rates.tryCountInWindow(key, next, -amount, Long.MAX_VALUE);
                };
            }
            return () -> rates.tryCountInWindow(key, w.start, -amount, Long.MAX_VALUE);
        }

        void chargeAccrued(long now) {
            long elapsed = now - lastCharge;
            if (elapsed <= 0) {
                return;
            }
            if (accruingRate > 0 && limit.spec() instanceof LimitSpec.FixedWindow fw) {
                chargeWindows(fw, now, elapsed);
            }
            lastCharge = now;
        }

        private void chargeWindows(LimitSpec.FixedWindow fw, long now, long elapsed) {
            // Polling accrues evenly; split what accrued over the window boundaries it crossed.
            Instant end = time.now();
            Instant start = end.minusNanos(elapsed);
            long windowNanos = fw.window().toNanos();
            Instant cursor = start;
            while (cursor.isBefore(end)) {
                Instant windowStart = windowStartOf(cursor, windowNanos);
                Instant windowEnd = windowStart.plusNanos(windowNanos);
                Instant sliceEnd = windowEnd.isBefore(end) ? windowEnd : end;
                long sliceNanos = Duration.between(cursor, sliceEnd).toNanos();
                pendingUnits += accruingRate * sliceNanos / 1e9;
                long whole = (long) pendingUnits;
                if (whole > 0) {
                    rates.tryCountInWindow(key, windowStart, whole, Long.MAX_VALUE);
                    pendingUnits -= whole;
                }
                cursor = sliceEnd;
            }
        }

        private double allowed(LimitSpec.FixedWindow fw) {
            return Math.floor(fw.limit() * factor);
        }

        Window window(LimitSpec.FixedWindow fw) {
            long windowNanos = fw.window().toNanos();
            Instant now = time.now();
            Instant start = windowStartOf(now, windowNanos);
            return new Window(start, Duration.between(now, start.plusNanos(windowNanos)).toNanos());
        }

        /** An unread bucket whose rates have not moved is where it was reported last: full. */
        boolean unchangedSinceReported() {
            return unread && reported && reportedRunningRate == runningRate && reportedRate == sustained();
        }

        /** This limit's level now, remembered as the last reported; a bucket is read from {@code availableTokens} if given. */
        LimitLevel report(long now, Map<LimitKey, Long> availableTokens) {
            LimitLevel level = level(key, now, availableTokens);
            reported = true;
            reportedRunningRate = level.runningRate();
            reportedRate = level.ratePerSecond();
            return level;
        }

        private LimitLevel level(LimitKey k, long now, Map<LimitKey, Long> availableTokens) {
            chargeAccrued(now);
            if (limit.spec() instanceof LimitSpec.TokenBucket tb) {
                long full = tb.capacity() * Units.PER_CALL;
                long units;
                if (unread) {
                    units = full;
                } else {
                    units = availableTokens != null ? availableTokens.get(k) : bucket.getAvailableTokens();
                    if (drawCount != null) {
                        drawsWhenFull = units == full ? drawsBeforeRead : -1;
                    }
                }
                return new LimitLevel(k, Units.toCalls(units), tb.capacity(), runningRate, sustained());
            }
            if (limit.spec() instanceof LimitSpec.FixedWindow fw) {
                long used = rates.countInWindow(k, window(fw).start);
                return new LimitLevel(k, allowed(fw) - used, fw.limit(), runningRate, sustained());
            }
            LimitSpec.Concurrency c = (LimitSpec.Concurrency) limit.spec();
            return new LimitLevel(k, c.maxCost() - reservations.reserved(k), c.maxCost(), 0, 0);
        }
    }

    private static Instant windowStartOf(Instant t, long windowNanos) {
        long epochNanos = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
        long start = Math.floorDiv(epochNanos, windowNanos) * windowNanos;
        return Instant.ofEpochSecond(Math.floorDiv(start, 1_000_000_000L), Math.floorMod(start, 1_000_000_000L));
    }

    private record Window(Instant start, long remainingNanos) {
    }
}
