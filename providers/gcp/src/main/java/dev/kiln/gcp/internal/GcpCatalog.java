package dev.kiln.gcp.internal;

import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.plan.ProviderCatalog;
import java.util.List;

/**
 * What plans may name with a GCP provider. The Compute Engine client library carries no list of
 * regions (it asks the API), so Kiln keeps one: the public regions as of late 2025. A region
 * opened since is declared in the plan under the target's {@code custom_regions}.
 */
public final class GcpCatalog {

    /** Compute Engine's public regions (not zones). */
    static final List<String> REGIONS = List.of(
            "africa-south1",
            "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3", "asia-south1",
            "asia-south2", "asia-southeast1", "asia-southeast2",
            "australia-southeast1", "australia-southeast2",
            "europe-central2", "europe-north1", "europe-north2", "europe-southwest1", "europe-west1",
            "europe-west2", "europe-west3", "europe-west4", "europe-west6", "europe-west8", "europe-west9",
            "europe-west10", "europe-west12",
            "me-central1", "me-central2", "me-west1",
            "northamerica-northeast1", "northamerica-northeast2", "northamerica-south1",
            "southamerica-east1", "southamerica-west1",
            "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west2", "us-west3",
            "us-west4");

    private static final ProviderCatalog DEFAULT = of("gcp", ProviderDefaults.gcp());

    private GcpCatalog() {
    }

    /** The catalog of the provider called {@code id} whose rate quotas are {@code limits}. */
    public static ProviderCatalog of(String id, LimitsTable limits) {
        return ProviderCatalog.builder(id)
                .aliases("gcloud", "google", "google-cloud", "gce", "googlecompute")
                .regions("Kiln's list of Compute Engine regions", REGIONS)
                .limits(limits)
                .build();
    }

    /** The catalog of {@code provider: gcp} at Kiln's default limits. */
    public static ProviderCatalog catalog() {
        return DEFAULT;
    }
}
