package dev.kiln.plan;

import dev.kiln.naming.NameRule;
import dev.kiln.naming.NameRules;
import dev.kiln.time.TimeSource;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a plan is expanded against: the moment ({@code {timestamp}}), the run id
 * ({@code {build_id}}), the git commit ({@code {git_sha}}), the providers' naming rules, the
 * environment that {@code ${env:NAME}} references in a plan file read from, and the providers a
 * plan may name.
 *
 * @param now             the run's start, from the run's time source
 * @param runId           unique per run: lowercase letters and digits, at most 12 characters
 * @param gitSha          the commit being built, or {@code nogit}
 * @param nameRules       naming rule per provider id
 * @param env             environment for {@code ${env:NAME}} references
 * @param catalogs        the providers a plan may name, by id, each with its regions and limits; when
 *                        empty, any provider id is accepted and only the shapes of regions are checked
 * @param secretsOptional whether a {@code sensitive} variable may reference an environment variable
 *                        that is not set (its value is then empty): for planning without the secrets
 *                        a build would need, as {@code kiln plan --offline} does
 */
public record PlanContext(Instant now, String runId, String gitSha, Function<String, NameRule> nameRules,
                          Map<String, String> env, Map<String, ProviderCatalog> catalogs, boolean secretsOptional) {

    public PlanContext {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(runId, "runId");
        if (!runId.matches("[a-z0-9]{1,12}")) {
            throw new IllegalArgumentException("a run id is 1-12 lowercase letters and digits, got '" + runId + "'");
        }
        gitSha = gitSha == null || gitSha.isBlank() ? "nogit" : gitSha;
        nameRules = nameRules == null ? NameRules::forProvider : nameRules;
        env = Map.copyOf(env == null ? Map.of() : env);
        catalogs = catalogs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(catalogs));
    }

    /** A context that accepts any provider and needs every secret. */
    public PlanContext(Instant now, String runId, String gitSha, Function<String, NameRule> nameRules,
                       Map<String, String> env) {
        this(now, runId, gitSha, nameRules, env, Map.of(), false);
    }

    /** Now from {@code time}, a fresh random run id, git sha from {@code KILN_GIT_SHA}/{@code GITHUB_SHA}/{@code CI_COMMIT_SHA}. */
    public static PlanContext of(TimeSource time) {
        Map<String, String> env = System.getenv();
        String sha = firstNonBlank(env.get("KILN_GIT_SHA"), env.get("GITHUB_SHA"), env.get("CI_COMMIT_SHA"),
                env.get("GIT_COMMIT"));
        return new PlanContext(time.now(), newRunId(), sha == null ? null : shortSha(sha), null, env);
    }

    /** A random run id: {@code k} and 7 base-36 characters. */
    public static String newRunId() {
        SecureRandom random = new SecureRandom();
        StringBuilder sb = new StringBuilder("k");
        for (int i = 0; i < 7; i++) {
            sb.append(Character.forDigit(random.nextInt(36), 36));
        }
        return sb.toString();
    }

    public PlanContext withRunId(String id) {
        return new PlanContext(now, id, gitSha, nameRules, env, catalogs, secretsOptional);
    }

    public PlanContext withEnv(Map<String, String> newEnv) {
        return new PlanContext(now, runId, gitSha, nameRules, newEnv, catalogs, secretsOptional);
    }

    public PlanContext withNameRules(Function<String, NameRule> rules) {
        return new PlanContext(now, runId, gitSha, rules, env, catalogs, secretsOptional);
    }

    /**
     * This context, allowing only the providers of {@code known}: any other provider id, a region
     * a provider does not list, or a limit it does not have is a problem of the plan.
     */
    public PlanContext withCatalogs(Collection<ProviderCatalog> known) {
        Map<String, ProviderCatalog> byId = new LinkedHashMap<>();
        known.forEach(c -> byId.putIfAbsent(c.provider(), c));
        return new PlanContext(now, runId, gitSha, nameRules, env, byId, secretsOptional);
    }

    /** This context, allowing a secret's environment variable to be unset (see {@link #secretsOptional()}). */
    public PlanContext withSecretsOptional(boolean optional) {
        return new PlanContext(now, runId, gitSha, nameRules, env, catalogs, optional);
    }

    private static String shortSha(String sha) {
        String s = sha.trim().toLowerCase(java.util.Locale.ROOT);
        return s.length() > 12 ? s.substring(0, 12) : s;
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
