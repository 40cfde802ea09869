package dev.kiln.aws.internal;

import dev.kiln.limits.ApiCost;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.plan.Target;
import dev.kiln.spi.Budget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * EC2's documented API limits, the cost model of packer's amazon builders at the configured poll
 * delay, and the environment that keeps a build inside the polling budget Kiln granted it.
 *
 * <p>{@link ProviderDefaults#awsEbs()} counts one waiter poll per {@value #DEFAULTS_POLL_SECONDS} s;
 * at a poll delay of {@code d} s the same build polls {@code 15 / d} times as often. A budget below
 * what the model asks for (a plan override, or the adaptive rate after a throttle) lengthens the
 * delay by the same ratio, in whole seconds since packer reads whole seconds.
 */
public final class Limits {

    /** The poll delay {@link ProviderDefaults#awsEbs()} assumes. */
    static final long DEFAULTS_POLL_SECONDS = 15;
    /** The longest delay Kiln sets: a build polling less than once in five minutes is stalled, not slow. */
    static final long LONGEST_POLL_SECONDS = 300;

    private final AwsSettings settings;
    private final CostModel ebs;
    private final double pollsPerMinute;

    public Limits(AwsSettings settings) {
        this.settings = settings;
        double factor = (double) DEFAULTS_POLL_SECONDS / settings.pollDelaySeconds();
        CostModel base = ProviderDefaults.awsEbs();
        List<ApiCost> calls = new ArrayList<>();
        double polls = 0;
        for (ApiCost c : base.calls()) {
            calls.add(new ApiCost(c.api(), c.atStart(), c.perMinute() * factor, c.atEnd()));
            polls += c.perMinute() * factor;
        }
        this.ebs = new CostModel(base.expectedDuration(), calls, base.holds());
        this.pollsPerMinute = polls;
    }

    /** EC2's documented request rates, the same for every account and region. */
    public LimitsTable api() {
        return ProviderDefaults.aws();
    }

    /** Every amazon builder is costed as amazon-ebs: the others make the same kinds of calls. */
    public CostModel costModel() {
        return ebs;
    }

    public Map<String, String> packerEnv(Target target, Budget budget) {
        long delay = pollDelaySeconds(budget);
        long waiterSeconds = Math.max(1, settings.waiterTimeout().toSeconds());
        long attempts = Math.max(1, (waiterSeconds + delay - 1) / delay);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", target.region());
        env.put("AWS_POLL_DELAY_SECONDS", Long.toString(delay));
        env.put("AWS_MAX_ATTEMPTS", Long.toString(attempts));
        if (settings.endpoint() != null) {
            env.put("KILN_AWS_ENDPOINT", settings.endpoint().toString());
        }
        return env;
    }

    /** The poll delay that keeps the build's polling within {@code budget}. */
    long pollDelaySeconds(Budget budget) {
        long base = settings.pollDelaySeconds();
        double granted = budget.pollCallsPerMinute() * Math.max(0, Math.min(1, budget.rateFactor()));
        if (Double.isNaN(granted) || granted >= pollsPerMinute || pollsPerMinute <= 0) {
            return base;
        }
        if (granted <= 0) {
            return LONGEST_POLL_SECONDS;
        }
        double seconds = base * pollsPerMinute / granted;
        return Math.min(LONGEST_POLL_SECONDS, Math.max(base, (long) Math.ceil(seconds - 1e-9)));
    }
}
