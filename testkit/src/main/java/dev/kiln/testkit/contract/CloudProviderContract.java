package dev.kiln.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.kiln.limits.ApiCost;
import dev.kiln.limits.Charge;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.Limit;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.ProviderCatalog;
import dev.kiln.plan.Target;
import dev.kiln.spi.ApiGate;
import dev.kiln.spi.ArtifactCheck;
import dev.kiln.spi.Budget;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderContext;
import dev.kiln.spi.SweepReport;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CloudProvider} must do, whatever cloud it speaks to. A provider module extends
 * this class in its tests, points the provider at its emulator, and implements the fixture hooks
 * (creating an image, leaving debris behind) with the emulator's own API.
 *
 * <p>Stability: evolving; new contract tests may be added in minor releases.
 */
public abstract class CloudProviderContract {

    private final AtomicInteger gatedCalls = new AtomicInteger();
    private final Map<String, AtomicInteger> gatedByApi = new ConcurrentHashMap<>();
    private CloudProvider provider;

    /** A provider ready to talk to the test's cloud (emulator), not yet started. */
    protected abstract CloudProvider newProvider();

    /** A target the provider can reach. */
    protected abstract Target target();

    /** A job on {@link #target()} with the builder type the provider models. */
    protected abstract BuildJob sampleJob(String imageName, String buildId);

    /** Creates an image named {@code name} on {@link #target()}, tagged as built by {@code buildId}. */
    protected abstract void createImage(String name, String buildId);

    /** Leaves behind what a killed build would: instances, disks... tagged with {@code buildId}. */
    protected abstract void leaveDebris(String buildId);

    /** What is left on the cloud tagged with {@code buildId}, in any form. */
    protected abstract Set<String> debris(String buildId);

    /**
     * Whether the provider sweeps by expiry ({@link CloudProvider#sweepExpired}). A provider that
     * says no must still answer a clean, empty report and touch nothing.
     */
    protected boolean supportsExpiry() {
        return true;
    }

    /**
     * Leaves behind what a killed build would, as {@link #leaveDebris(String)}, every piece of it
     * also carrying {@code expiresAt} as its expiry tag (label, vSphere tag) exactly as written:
     * epoch seconds, or anything else to test what is not an expiry. Leave out what the provider
     * keeps on purpose (finished images). Providers that {@link #supportsExpiry() support expiry}
     * override this; the default leaves debris without an expiry.
     */
    protected void leaveDebris(String buildId, String expiresAt) {
        leaveDebris(buildId);
    }

    /** Values the provider must never hand to packer or print (credentials the fixture used). */
    protected Set<String> secrets() {
        return Set.of();
    }

    protected TimeSource time() {
        return TimeSource.system();
    }

    @BeforeEach
    final void startProvider() {
        provider = newProvider();
        provider.start(new ProviderContext() {
            @Override
            public ApiGate gate(Target target) {
                return new ApiGate() {
                    @Override
                    public void acquire(String api) {
                        gatedCalls.incrementAndGet();
                        gatedByApi.computeIfAbsent(api, a -> new AtomicInteger()).incrementAndGet();
                    }

                    @Override
                    public void throttled(String api, Duration retryAfter) {
                    }

                    @Override
                    public void remaining(String limit, long remaining) {
                    }
                };
            }

            @Override
            public TimeSource time() {
                return CloudProviderContract.this.time();
            }
        });
    }

    protected final CloudProvider provider() {
        return provider;
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void its_id_is_a_plan_provider_id() {
        assertThat(provider.id()).matches("[a-z][a-z0-9-]*");
    }

    @Test
    void its_limits_cover_every_api_its_cost_model_calls() {
        BuildJob job = sampleJob(unique("contract"), unique("b"));
        LimitsTable table = provider.apiLimits(target());
        CostModel cost = provider.costModel(job.image(), target());
        assertThat(cost.expectedDuration()).isPositive();
        for (ApiCost call : cost.calls()) {
            List<Charge> charges = table.chargesFor(call.api());
            assertThat(charges).as("limits charged by %s", call.api()).isNotEmpty();
            for (Charge c : charges) {
                assertThat(table.limit(c.limit())).as("limit %s charged by %s", c.limit(), call.api()).isPresent();
            }
        }
        for (String held : cost.holds().keySet()) {
            assertThat(table.limit(held)).as("held limit %s", held).isPresent();
        }
    }

    @Test
    void its_catalog_accepts_its_target_and_every_limit_it_holds_builds_to() {
        ProviderCatalog catalog = provider.catalog();
        assertThat(catalog.provider()).isEqualTo(provider.id());
        assertThat(catalog.knowsRegion(target().region())).as("%s knows %s", catalog, target().region()).isTrue();
        for (Limit limit : provider.apiLimits(target()).declaredLimits()) {
            assertThat(catalog.knowsLimit(target(), limit.name())).as("%s knows limit %s", catalog, limit.name())
                    .isTrue();
        }
        assertThat(catalog.listsLimits() && catalog.knowsLimit(target(), "NoSuchLimitz")).isFalse();
    }

    @Test
    void its_quota_probe_reports_every_metric_a_build_holds() {
        BuildJob job = sampleJob(unique("contract"), unique("b"));
        QuotaSnapshot snapshot = provider.probeQuotas(target());
        assertThat(snapshot.target()).isEqualTo(target());
        assertThat(snapshot.quotas()).isNotEmpty();
        snapshot.quotas().values().forEach(q -> {
            assertThat(q.limit()).as("limit of %s", q.metric()).isNotNegative();
            assertThat(q.usage()).as("usage of %s", q.metric()).isNotNegative();
        });
        for (String metric : provider.demandOf(job).amounts().keySet()) {
            assertThat(snapshot.quotas()).as("quota for demand metric %s", metric).containsKey(metric);
        }
    }

    @Test
    void it_tells_existing_image_names_from_free_ones() {
        String name = unique("contract-image");
        assertThat(provider.imageExists(target(), name)).isFalse();
        createImage(name, unique("b"));
        assertThat(provider.imageExists(target(), name)).isTrue();
    }

    @Test
    void it_verifies_a_real_image_and_rejects_a_missing_one_without_throwing() {
        String buildId = unique("b");
        String name = unique("contract-image");
        createImage(name, buildId);
        BuildJob job = sampleJob(name, buildId);
        ArtifactCheck ok = provider.verifyArtifact(job, List.of(new Artifact(job.image().only(), "contract", name,
                List.of())));
        assertThat(ok.ok()).as("problems: %s", ok.problems()).isTrue();

        BuildJob missing = sampleJob(unique("never-built"), unique("b"));
        ArtifactCheck check = provider.verifyArtifact(missing, List.of());
        assertThat(check.ok()).isFalse();
        assertThat(check.problems()).isNotEmpty();
    }

    @Test
    void its_sweep_removes_everything_a_build_left_and_is_idempotent() {
        String buildId = unique("b");
        leaveDebris(buildId);
        assertThat(debris(buildId)).isNotEmpty();

        SweepReport first = provider.sweep(target(), buildId);
        assertThat(first.clean()).as("failed: %s", first.failed()).isTrue();
        assertThat(first.deleted()).isNotEmpty();
        assertThat(debris(buildId)).isEmpty();

        SweepReport second = provider.sweep(target(), buildId);
        assertThat(second.clean()).isTrue();
        assertThat(second.deleted()).isEmpty();
    }

    @Test
    void sweeping_a_build_that_created_nothing_is_fine() {
        assertThatCode(() -> provider.sweep(target(), unique("nothing"))).doesNotThrowAnyException();
    }

    @Test
    void its_expired_sweep_removes_what_has_expired_keeps_the_rest_and_is_idempotent() {
        Instant now = time().now();
        String expired = unique("exp");
        String fresh = unique("fresh");
        String untagged = unique("untagged");
        leaveDebris(expired, Long.toString(now.getEpochSecond() - 3600));
        leaveDebris(fresh, Long.toString(now.getEpochSecond() + 3600));
        leaveDebris(untagged);
        Set<String> freshBefore = debris(fresh);
        Set<String> untaggedBefore = debris(untagged);
        Set<String> expiredBefore = debris(expired);
        assertThat(expiredBefore).isNotEmpty();

        SweepReport first = provider.sweepExpired(target(), now);
        SweepReport second = provider.sweepExpired(target(), now);

        try {
            assertThat(first.clean()).as("failed: %s", first.failed()).isTrue();
            assertThat(second.clean()).as("failed: %s", second.failed()).isTrue();
            assertThat(second.deleted()).as("a second sweep").isEmpty();
            assertThat(debris(fresh)).as("debris that expires in an hour").isEqualTo(freshBefore);
            assertThat(debris(untagged)).as("debris without an expiry").isEqualTo(untaggedBefore);
            if (supportsExpiry()) {
                assertThat(first.deleted()).isNotEmpty();
                assertThat(debris(expired)).as("debris that expired an hour ago").isEmpty();
            } else {
                assertThat(first.deleted()).isEmpty();
                assertThat(debris(expired)).isEqualTo(expiredBefore);
            }
        } finally {
            provider.sweep(target(), expired);
            provider.sweep(target(), fresh);
            provider.sweep(target(), untagged);
        }
    }

    @Test
    void an_expiry_that_is_not_epoch_seconds_is_reported_and_nothing_carrying_it_is_deleted() {
        String buildId = unique("bad");
        leaveDebris(buildId, "tomorrow");
        Set<String> before = debris(buildId);

        SweepReport report = provider.sweepExpired(target(), time().now());

        try {
            assertThat(report.deleted()).isEmpty();
            assertThat(debris(buildId)).isEqualTo(before);
            if (supportsExpiry()) {
                assertThat(report.failed()).isNotEmpty()
                        .allSatisfy(f -> assertThat(f).contains("'tomorrow' is not an expiry (epoch seconds"));
            } else {
                assertThat(report.failed()).isEmpty();
            }
        } finally {
            provider.sweep(target(), buildId);
        }
    }

    @Test
    void its_expired_sweep_goes_through_the_gate() {
        gatedCalls.set(0);
        provider.sweepExpired(target(), time().now());
        if (supportsExpiry()) {
            assertThat(gatedCalls.get()).as("gated calls by api: %s", gatedByApi).isPositive();
        }
    }

    @Test
    void its_packer_environment_carries_no_secret() {
        Map<String, String> env = provider.packerEnv(target(), new Budget(12, 1.0));
        for (String secret : secrets()) {
            assertThat(env.values()).as("packer env").noneMatch(v -> v.contains(secret));
        }
    }

    @Test
    void every_call_it_makes_goes_through_the_gate() {
        gatedCalls.set(0);
        provider.probeQuotas(target());
        provider.imageExists(target(), unique("gated"));
        provider.sweep(target(), unique("gated"));
        assertThat(gatedCalls.get()).as("gated calls by api: %s", gatedByApi).isPositive();
    }

    @Test
    void its_name_rule_accepts_a_typical_name_and_explains_a_bad_one() {
        assertThat(provider.nameRule().check("ubuntu-22-04-dev-20260105090000")).isEmpty();
        assertThat(provider.nameRule().check("x".repeat(300))).isPresent();
    }
}
