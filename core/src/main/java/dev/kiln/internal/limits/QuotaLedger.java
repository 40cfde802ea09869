package dev.kiln.internal.limits;

import dev.kiln.limits.LimitKey;
import dev.kiln.limits.Quota;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.limits.QuotaVerdict;
import dev.kiln.plan.Demand;
import dev.kiln.plan.Target;
import dev.kiln.spi.Coordination;
import dev.kiln.spi.Reservation;
import dev.kiln.spi.Reservations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps parallel builds inside each target's quotas: the live limit and outside usage from the
 * provider's probe, minus what Kiln's running builds hold. Reservations live in the
 * {@link Coordination} store, so runs (and nodes) sharing a store share the ledger.
 *
 * <p>Usage seen by a probe is treated as outside usage for the rest of the run: the ledger does not
 * re-probe mid-run, where usage would include Kiln's own builds.
 */
public final class QuotaLedger {

    private final Reservations store;
    private final String node;
    private final Map<String, QuotaSnapshot> snapshots = new ConcurrentHashMap<>();

    /** A ledger for one process. */
    public QuotaLedger(Coordination store) {
        this(store, Coordination.LOCAL_NODE);
    }

    /** A ledger whose reservations belong to {@code node} and lapse with it. */
    public QuotaLedger(Coordination store, String node) {
        this.store = store.reservations();
        this.node = node;
    }

    /** Records a probe of {@code snapshot.target()}. */
    public void update(QuotaSnapshot snapshot) {
        snapshots.put(snapshot.target().key(), snapshot);
    }

    public Optional<QuotaSnapshot> snapshot(Target target) {
        return Optional.ofNullable(snapshots.get(target.key()));
    }

    /** Checks {@code demand} on {@code target} without reserving anything. */
    public QuotaVerdict estimate(Target target, Demand demand) {
        QuotaSnapshot snap = snapshots.get(target.key());
        if (snap == null) {
            return new QuotaVerdict.Fits();
        }
        QuotaVerdict verdict = new QuotaVerdict.Fits();
        for (var e : demand.amounts().entrySet()) {
            Quota q = snap.quotas().get(e.getKey());
            if (q == null) {
                continue;
            }
            long needed = e.getValue();
            if (needed > q.headroom()) {
                return new QuotaVerdict.Never(q.metric(), needed, q.limit(), q.usage());
            }
            long free = q.headroom() - store.reserved(keyOf(target, q));
            if (needed > free && verdict instanceof QuotaVerdict.Fits) {
                verdict = new QuotaVerdict.Later(q.metric(), needed, Math.max(0, free));
            }
        }
        return verdict;
    }

    /** The reservation items {@code demand} takes on {@code target}, for an atomic reservation with others. */
    public List<Reservation> reservationsFor(Target target, Demand demand) {
        QuotaSnapshot snap = snapshots.get(target.key());
        List<Reservation> items = new ArrayList<>();
        if (snap == null) {
            return items;
        }
        for (var e : demand.amounts().entrySet()) {
            Quota q = snap.quotas().get(e.getKey());
            if (q != null) {
                items.add(new Reservation(keyOf(target, q), e.getValue(), q.headroom()));
            }
        }
        return items;
    }

    /** Reserves {@code demand} for {@code holder}, all metrics or none. */
    public boolean tryReserve(String holder, Target target, Demand demand) {
        return store.tryReserve(node, holder, reservationsFor(target, demand));
    }

    /** Releases everything {@code holder} reserved. */
    public void release(String holder) {
        store.release(holder);
    }

    /** What Kiln's builds hold of {@code metric} on {@code target} now. */
    public long reserved(Target target, String metric) {
        QuotaSnapshot snap = snapshots.get(target.key());
        Quota q = snap == null ? null : snap.quotas().get(metric);
        return q == null ? 0 : store.reserved(keyOf(target, q));
    }

    private static LimitKey keyOf(Target target, Quota q) {
        return new LimitKey(q.scope().keyOf(target), "quota:" + q.metric());
    }
}
