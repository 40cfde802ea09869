package dev.kiln.gcp.internal;

import dev.kiln.KilnException;
import dev.kiln.gcp.GcpProvider;
import dev.kiln.plan.ProviderCatalog;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderFactory;
import dev.kiln.spi.ProviderSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds {@link GcpProvider}s for tools (the CLI) from non-secret settings, e.g.
 * {@code KILN_GCP_ENDPOINT=http://127.0.0.1:8085}, {@code KILN_GCP_NO_CREDENTIALS=true} (emulators),
 * {@code KILN_GCP_POLL_SECONDS=2}. Credentials are Application Default Credentials
 * ({@code GOOGLE_APPLICATION_CREDENTIALS}, gcloud's, or the metadata server), never settings.
 * Registered for {@link java.util.ServiceLoader}.
 */
public final class GcpProviderFactory implements ProviderFactory {

    static final Set<String> KNOWN = Set.of("endpoint", "no_credentials", "poll_seconds", "operation_poll",
            "operation_timeout", "call_timeout", "max_attempts");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    /** For {@link java.util.ServiceLoader}. */
    public GcpProviderFactory() {
    }

    @Override
    public String id() {
        return GcpProvider.ID;
    }

    @Override
    public ProviderCatalog catalog() {
        return GcpCatalog.catalog();
    }

    @Override
    public CloudProvider create(ProviderSettings settings) {
        Set<String> unknown = new TreeSet<>(settings.values().keySet());
        unknown.removeAll(KNOWN);
        if (!unknown.isEmpty()) {
            throw new KilnException("unknown setting(s) " + unknown + " for provider gcp; known: "
                    + new TreeSet<>(KNOWN));
        }
        GcpProvider.Builder b = GcpProvider.builder();
        settings.get("endpoint").filter(s -> !s.isBlank()).ifPresent(v -> b.endpoint(uri(v)));
        if (settings.flag("no_credentials")) {
            b.noCredentials();
        }
        settings.get("poll_seconds").ifPresent(v -> b.packerPollInterval(duration("poll_seconds", v)));
        Duration poll = settings.get("operation_poll").map(v -> duration("operation_poll", v))
                .orElse(Duration.ofSeconds(2));
        Duration timeout = settings.get("operation_timeout").map(v -> duration("operation_timeout", v))
                .orElse(Duration.ofMinutes(10));
        b.operationPolling(poll, timeout);
        settings.get("call_timeout").ifPresent(v -> b.callTimeout(duration("call_timeout", v)));
        settings.get("max_attempts").ifPresent(v -> {
            try {
                b.maxAttempts(Integer.parseInt(v.strip()));
            } catch (IllegalArgumentException e) {
                throw new KilnException("setting max_attempts of provider gcp: '" + v + "' is not a whole number"
                        + " of at least 1", e);
            }
        });
        return b.build();
    }

    private static URI uri(String value) {
        try {
            URI uri = URI.create(value.strip());
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new KilnException("setting endpoint of provider gcp: '" + value + "' is not a URL such as"
                    + " http://127.0.0.1:8085", e);
        }
    }

    /** {@code 2s}, {@code 500ms}, {@code 1.5}, {@code 10m}, {@code 1h}: a bare number is seconds. */
    static Duration duration(String name, String value) {
        Matcher m = DURATION.matcher(value.strip().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            double n = Double.parseDouble(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            double nanosPer = switch (unit) {
                case "ms" -> 1e6;
                case "m" -> 60e9;
                case "h" -> 3600e9;
                default -> 1e9;
            };
            Duration d = Duration.ofNanos(Math.round(n * nanosPer));
            if (!d.isZero()) {
                return d;
            }
        }
        throw new KilnException("setting " + name + " of provider gcp: '" + value + "' is not a positive duration"
                + " such as 2s, 1.5, 500ms, 10m or 1h");
    }

    @Override
    public String toString() {
        return "GcpProviderFactory[gcp]";
    }
}
