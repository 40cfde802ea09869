package dev.kiln.aws.internal;

import dev.kiln.KilnException;
import dev.kiln.aws.AwsProvider;
import dev.kiln.plan.ProviderCatalog;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderFactory;
import dev.kiln.spi.ProviderSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;

/**
 * Builds {@link AwsProvider}s for tools (the CLI) from non-secret settings, e.g.
 * {@code KILN_AWS_ENDPOINT}, {@code KILN_AWS_POLL_DELAY=15s}, {@code KILN_AWS_ACCOUNT_PROFILES=
 * 123456789012=prod,210987654321=staging}. Credentials come from the SDK's default chain or the
 * named profiles, never from settings. Registered for {@link java.util.ServiceLoader}.
 */
public final class AwsProviderFactory implements ProviderFactory {

    static final Set<String> KNOWN = Set.of("endpoint", "profile", "account_profiles", "retry_mode", "poll_delay",
            "waiter_timeout", "sweep_timeout", "api_call_timeout", "build_host", "check_account");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    @Override
    public String id() {
        return AwsProvider.ID;
    }

    @Override
    public ProviderCatalog catalog() {
        return AwsCatalog.catalog();
    }

    @Override
    public CloudProvider create(ProviderSettings settings) {
        Set<String> unknown = new TreeSet<>(settings.values().keySet());
        unknown.removeAll(KNOWN);
        if (!unknown.isEmpty()) {
            throw new KilnException("unknown setting(s) " + unknown + " for provider aws; known: " + new TreeSet<>(KNOWN));
        }
        AwsProvider.Builder b = AwsProvider.builder();
        settings.get("endpoint").filter(s -> !s.isBlank()).ifPresent(v -> b.endpointOverride(uri(v)));
        settings.get("profile").filter(s -> !s.isBlank()).ifPresent(p -> b.credentials(profile(p)));
        settings.get("account_profiles").ifPresent(v -> {
            for (String pair : v.split(",")) {
                if (pair.isBlank()) {
                    continue;
                }
                String[] kv = pair.split("=", 2);
                if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
                    throw new KilnException("setting account_profiles of provider aws: '" + pair.strip() + "' is not"
                            + " account=profile, e.g. 123456789012=prod");
                }
                b.credentials(kv[0].strip(), profile(kv[1].strip()));
            }
        });
        settings.get("retry_mode").ifPresent(v -> b.retryMode(retryMode(v)));
        settings.get("poll_delay").ifPresent(v -> b.pollDelay(duration("poll_delay", v)));
        settings.get("waiter_timeout").ifPresent(v -> b.waiterTimeout(duration("waiter_timeout", v)));
        settings.get("sweep_timeout").ifPresent(v -> b.sweepTimeout(duration("sweep_timeout", v)));
        settings.get("api_call_timeout").ifPresent(v -> b.apiCallTimeout(duration("api_call_timeout", v)));
        settings.get("build_host").ifPresent(v -> {
            for (String host : v.split(",")) {
                if (!host.isBlank()) {
                    b.buildHostAddress(host.strip());
                }
            }
        });
        if (settings.values().containsKey("check_account")) {
            b.checkAccount(settings.flag("check_account"));
        }
        return b.build();
    }

    private static ProfileCredentialsProvider profile(String name) {
        return ProfileCredentialsProvider.builder().profileName(name).build();
    }

    private static URI uri(String value) {
        try {
            return URI.create(value.strip());
        } catch (IllegalArgumentException e) {
            throw new KilnException("setting endpoint of provider aws: '" + value + "' is not a URI such as"
                    + " http://127.0.0.1:4566", e);
        }
    }

    private static RetryMode retryMode(String value) {
        String v = value.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        for (RetryMode m : RetryMode.values()) {
            if (m.name().equals(v)) {
                return m;
            }
        }
        throw new KilnException("setting retry_mode of provider aws: '" + value + "' is not one of "
                + List.of(RetryMode.values()).stream().map(m -> m.name().toLowerCase(Locale.ROOT)).toList());
    }

    /** {@code 15s}, {@code 2m}, {@code 1h}, {@code 500ms}, a bare number of seconds, or ISO-8601 {@code PT15S}. */
    static Duration duration(String name, String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }
        try {
            return Duration.parse(value.strip());
        } catch (RuntimeException e) {
            throw new KilnException("setting " + name + " of provider aws: '" + value + "' is not a duration such as"
                    + " 15s, 2m, 1h or 500ms", e);
        }
    }

    @Override
    public String toString() {
        return "AwsProviderFactory[aws]";
    }
}
