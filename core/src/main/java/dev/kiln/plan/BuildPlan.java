package dev.kiln.plan;

import dev.kiln.job.RetryPolicy;
import dev.kiln.limits.LimitSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A fleet of builds, ready to run: every job expanded, validated and named. Immutable.
 * Read one from a file with {@link PlanFile#load(Path, PlanContext)}, or build one in code with
 * {@link #builder(String)}.
 */
public final class BuildPlan {

    private final String name;
    private final Path source;
    private final String runId;
    private final Instant createdAt;
    private final String gitSha;
    private final List<BuildJob> jobs;
    private final Map<JobId, BuildJob> byId;
    private final PackerPins pins;
    private final RetryPolicy retryPolicy;
    private final Map<String, Map<String, LimitSpec>> limitOverrides;

    private BuildPlan(Builder b) {
        this.name = b.name;
        this.source = b.source;
        this.runId = b.runId;
        this.createdAt = b.createdAt;
        this.gitSha = b.gitSha;
        this.jobs = List.copyOf(b.jobs);
        Map<JobId, BuildJob> index = new LinkedHashMap<>();
        for (BuildJob j : jobs) {
            if (index.put(j.id(), j) != null) {
                throw new IllegalArgumentException("two jobs share the id " + j.id());
            }
        }
        for (BuildJob j : jobs) {
            for (JobId dep : j.dependsOn()) {
                if (!index.containsKey(dep)) {
                    throw new IllegalArgumentException("job " + j.id() + " depends on " + dep
                            + ", which is not in the plan");
                }
            }
        }
        this.byId = Collections.unmodifiableMap(index);
        this.pins = b.pins;
        this.retryPolicy = b.retryPolicy;
        Map<String, Map<String, LimitSpec>> lo = new LinkedHashMap<>();
        b.limitOverrides.forEach((k, v) -> lo.put(k, Map.copyOf(v)));
        this.limitOverrides = Collections.unmodifiableMap(lo);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** The file the plan was read from, if any. */
    public Optional<Path> source() {
        return Optional.ofNullable(source);
    }

    /** Unique per run: part of every build id, so two runs never tag each other's resources. */
    public String runId() {
        return runId;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** The commit names were rendered with ({@code {git_sha}}); {@code nogit} when none. */
    public String gitSha() {
        return gitSha;
    }

    /** Every job, in plan order; unmodifiable. */
    public List<BuildJob> jobs() {
        return jobs;
    }

    public Optional<BuildJob> job(JobId id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Distinct targets, in plan order. */
    public List<Target> targets() {
        Set<Target> seen = new HashSet<>();
        List<Target> out = new ArrayList<>();
        for (BuildJob j : jobs) {
            if (seen.add(j.target())) {
                out.add(j.target());
            }
        }
        return Collections.unmodifiableList(out);
    }

    public PackerPins pins() {
        return pins;
    }

    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /**
     * Limit overrides by scope key ({@code provider}, {@code provider/account} or
     * {@code provider/account/region}); the most specific key wins.
     */
    public Map<String, Map<String, LimitSpec>> limitOverrides() {
        return limitOverrides;
    }

    /** The overrides that apply to {@code target}, least specific first so later ones win. */
    public Map<String, LimitSpec> limitOverridesFor(Target target) {
        Map<String, LimitSpec> merged = new LinkedHashMap<>();
        for (String key : List.of(target.provider(), target.accountKey(), target.key())) {
            merged.putAll(limitOverrides.getOrDefault(key, Map.of()));
        }
        return merged;
    }

    /** A copy with other jobs (same settings), e.g. a subset to resume. */
    public BuildPlan withJobs(List<BuildJob> newJobs) {
        Builder b = toBuilder();
        b.jobs.clear();
        b.jobs.addAll(newJobs);
        return b.build();
    }

    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.source = source;
        b.runId = runId;
        b.createdAt = createdAt;
        b.gitSha = gitSha;
        b.jobs.addAll(jobs);
        b.pins = pins;
        b.retryPolicy = retryPolicy;
        b.limitOverrides.putAll(limitOverrides);
        return b;
    }

    @Override
    public String toString() {
        return "BuildPlan[" + name + ", run " + runId + ", " + jobs.size() + " jobs]";
    }

    /** Builds a {@link BuildPlan}; {@link #build()} copies everything, so the builder can be reused. */
    public static final class Builder {
        private final String name;
        private Path source;
        private String runId;
        private Instant createdAt = Instant.EPOCH;
        private String gitSha = "nogit";
        private final List<BuildJob> jobs = new ArrayList<>();
        private PackerPins pins = PackerPins.NONE;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private final Map<String, Map<String, LimitSpec>> limitOverrides = new LinkedHashMap<>();

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder source(Path file) {
            this.source = file;
            return this;
        }

        public Builder runId(String runId) {
            this.runId = runId;
            return this;
        }

        public Builder createdAt(Instant at) {
            this.createdAt = at;
            return this;
        }

        public Builder gitSha(String sha) {
            this.gitSha = sha == null ? "nogit" : sha;
            return this;
        }

        public Builder job(BuildJob job) {
            jobs.add(job);
            return this;
        }

        public Builder jobs(List<BuildJob> all) {
            jobs.addAll(all);
            return this;
        }

        public Builder pins(PackerPins pins) {
            this.pins = pins;
            return this;
        }

        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = policy;
            return this;
        }

        /** Overrides limits for a scope key: {@code aws}, {@code aws/123456789012} or {@code aws/123456789012/us-east-1}. */
        public Builder limitOverride(String scopeKey, String limit, LimitSpec spec) {
            limitOverrides.computeIfAbsent(scopeKey, k -> new LinkedHashMap<>()).put(limit, spec);
            return this;
        }

        public BuildPlan build() {
            if (runId == null) {
                throw new IllegalStateException("a plan needs a run id; PlanFile and Planner assign one");
            }
            return new BuildPlan(this);
        }
    }
}
