package dev.kiln.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.coordination.InMemoryCoordination;
import dev.kiln.limits.Quota;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.limits.QuotaVerdict;
import dev.kiln.limits.Scope;
import dev.kiln.plan.Demand;
import dev.kiln.plan.Target;
import dev.kiln.time.TimeSource;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuotaLedgerTest {

    private static final Target EAST = Target.of("gcp", "proj", "us-east1");
    private static final Target WEST = Target.of("gcp", "proj", "us-west1");

    private final QuotaLedger ledger = new QuotaLedger(InMemoryCoordination.of(TimeSource.system()));

    private void probe(Target target, long cpus, long cpusUsed, long images, long imagesUsed) {
        ledger.update(new QuotaSnapshot(target, Instant.EPOCH, Map.of(
                "vcpus", new Quota("vcpus", Scope.REGION, cpus, cpusUsed),
                "images", new Quota("images", Scope.ACCOUNT, images, imagesUsed))));
    }

    @Test
    void a_demand_fits_waits_or_never_fits_against_the_headroom() {
        probe(EAST, 24, 8, 100, 0);
        Demand eight = Demand.NONE.with("vcpus", 8);

        assertThat(ledger.estimate(EAST, eight)).isInstanceOf(QuotaVerdict.Fits.class);
        assertThat(ledger.tryReserve("a", EAST, eight)).isTrue();
        assertThat(ledger.tryReserve("b", EAST, eight)).isTrue();
        assertThat(ledger.estimate(EAST, eight)).isEqualTo(new QuotaVerdict.Later("vcpus", 8, 0));
        assertThat(ledger.tryReserve("c", EAST, eight)).isFalse();
        assertThat(ledger.estimate(EAST, Demand.NONE.with("vcpus", 20)))
                .isEqualTo(new QuotaVerdict.Never("vcpus", 20, 24, 8));

        ledger.release("a");
        assertThat(ledger.tryReserve("c", EAST, eight)).isTrue();
        assertThat(ledger.reserved(EAST, "vcpus")).isEqualTo(16);
    }

    @Test
    void a_project_wide_quota_is_shared_by_every_region() {
        probe(EAST, 100, 0, 3, 1);
        probe(WEST, 100, 0, 3, 1);
        Demand image = Demand.NONE.with("images", 1);

        assertThat(ledger.tryReserve("a", EAST, image)).isTrue();
        assertThat(ledger.tryReserve("b", WEST, image)).isTrue();
        assertThat(ledger.tryReserve("c", EAST, image)).as("one image existed and two are reserved: the quota of 3 is full").isFalse();
    }

    @Test
    void never_explains_itself() {
        QuotaVerdict.Never never = new QuotaVerdict.Never("vcpus", 16, 8, 2);
        assertThat(never.explain("aws/1/us-east-1")).isEqualTo(
                "needs 16 vcpus but aws/1/us-east-1 allows 8 with 2 already in use outside this run;"
                        + " raise the quota or shrink the build");
    }
}
