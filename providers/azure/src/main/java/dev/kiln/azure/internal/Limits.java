package dev.kiln.azure.internal;

import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.Target;
import dev.kiln.spi.Budget;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ARM's documented limits, what one build calls, and where and how fast a build on a target talks
 * to ARM, for templates to read from the environment.
 */
public final class Limits {

    private final AzureSettings settings;

    public Limits(AzureSettings settings) {
        this.settings = settings;
    }

    public LimitsTable api() {
        return ProviderDefaults.azure();
    }

    /** azure-* builders make azure-arm's calls; any other builder on an Azure target calls nothing. */
    public CostModel costModel(ImageSpec image) {
        if (image.builderType().startsWith("azure")) {
            return ProviderDefaults.azureArm();
        }
        return CostModel.free(Duration.ofMinutes(5));
    }

    public Map<String, String> packerEnv(Target target, Budget budget) {
        AzureTarget t = AzureTarget.of(target);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KILN_AZURE_SUBSCRIPTION", t.subscription());
        env.put("KILN_AZURE_REGION", t.region());
        env.put("KILN_AZURE_RESOURCE_GROUP", t.resourceGroup());
        if (t.usesGallery()) {
            env.put("KILN_AZURE_GALLERY", t.gallery());
            env.put("KILN_AZURE_GALLERY_IMAGE", t.galleryImage());
        }
        if (settings.endpoint() != null) {
            env.put("KILN_AZURE_ENDPOINT", settings.endpointText());
        }
        env.put("KILN_AZURE_POLL_SECONDS", Long.toString(pollSeconds(budget)));
        return Map.copyOf(env);
    }

    /**
     * 0 (poll as ARM's {@code Retry-After} says) with the whole budget; while the adaptive rate has
     * cut the target's limits, the wait that keeps the build's polling within its cut budget.
     */
    static long pollSeconds(Budget budget) {
        if (budget.rateFactor() >= 1 || Double.isInfinite(budget.pollCallsPerMinute())) {
            return 0;
        }
        double perMinute = Math.max(0.5, budget.pollCallsPerMinute() * Math.max(0.05, budget.rateFactor()));
        return Math.max(1, Math.min(120, (long) Math.ceil(60.0 / perMinute)));
    }
}
