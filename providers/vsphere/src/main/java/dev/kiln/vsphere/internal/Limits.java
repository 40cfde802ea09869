package dev.kiln.vsphere.internal;

import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.plan.Target;
import dev.kiln.spi.Budget;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The provisioning costs a vCenter takes at once, what one build holds of them, and where a build on a
 * target goes, for templates to read from the environment.
 */
public final class Limits {

    private final VsphereSettings settings;

    public Limits(VsphereSettings settings) {
        this.settings = settings;
    }

    public LimitsTable api(Target target) {
        return ProviderDefaults.vsphere(settings.datastoreOf(target), settings.hostMaxCost(),
                settings.datastoreMaxCost());
    }

    public CostModel costModel(Target target) {
        return ProviderDefaults.vsphereClone(settings.datastoreOf(target), settings.cloneCost())
                .withExpectedDuration(settings.expectedBuildTime());
    }

    /**
     * The environment packer builds on {@code target} get, as far as Kiln knows it: its own
     * environment and {@link #packerEnv}; for working out template fields before packer runs.
     */
    Map<String, String> environment(Target target) {
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        env.putAll(packerEnv(target, null));
        return env;
    }

    public Map<String, String> packerEnv(Target target, Budget budget) {
        URI vcenter = settings.vcenterOf(target.account());
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KILN_VSPHERE_URL", vcenter.toString());
        env.put("KILN_VSPHERE_SERVER", vcenter.getPort() < 0 ? vcenter.getHost()
                : vcenter.getHost() + ":" + vcenter.getPort());
        env.put("KILN_VSPHERE_INSECURE", Boolean.toString(settings.insecure()));
        env.put("KILN_VSPHERE_HOST", target.region());
        String datastore = settings.datastoreOf(target);
        if (datastore != null) {
            env.put("KILN_VSPHERE_DATASTORE", datastore);
        }
        for (String option : List.of(Options.DATACENTER, Options.FOLDER, Options.LIBRARY, Options.NETWORK,
                Options.SOURCE)) {
            String v = target.options().get(option);
            if (v != null) {
                env.put("KILN_VSPHERE_" + option.toUpperCase(Locale.ROOT), v);
            }
        }
        env.put("KILN_VSPHERE_TAG_CATEGORY", settings.tagCategory());
        return env;
    }
}
