package dev.kiln.cli;

import dev.kiln.Kiln;
import dev.kiln.KilnException;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.ProviderCatalog;
import dev.kiln.plan.Target;
import dev.kiln.sim.SimulatedCloud;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderFactory;
import dev.kiln.spi.ProviderSettings;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The providers a plan needs: built by the {@link ProviderFactory}s on the class path
 * ({@link ServiceLoader}) from {@code KILN_<ID>_<KEY>} settings overridden by flags, or taken from
 * the simulated cloud with {@code --simulate}.
 */
final class Providers {

    /** The providers the simulated cloud models at their documented limits. */
    static final Set<String> SIMULATED = Set.of("aws", "azure", "gcp", "vsphere");

    private final Map<String, CloudProvider> byId;
    private final SimulatedCloud cloud;

    private Providers(Map<String, CloudProvider> byId, SimulatedCloud cloud) {
        this.byId = Map.copyOf(byId);
        this.cloud = cloud;
    }

    /** The provider ids a plan's targets name, in plan order. */
    static Set<String> idsOf(BuildPlan plan) {
        Set<String> ids = new LinkedHashSet<>();
        for (Target t : plan.targets()) {
            ids.add(t.provider());
        }
        return ids;
    }

    /** Providers for {@code ids}, as {@code options} say: live, or simulated. */
    static Providers of(Set<String> ids, ProviderOptions options, CliContext ctx) {
        return options.simulate ? simulated(ids, TimeSource.system()) : live(ids, options.byProvider(), ctx);
    }

    /**
     * The simulated cloud's view of {@code ids}. Ids it does not model get no limits and builds
     * that cost nothing but time, so a plan for a custom provider can still be rehearsed.
     */
    static Providers simulated(Set<String> ids, TimeSource time) {
        SimulatedCloud.Builder b = SimulatedCloud.builder(time).acceptNullBuilds();
        for (String id : ids) {
            if (!SIMULATED.contains(id)) {
                b.provider(id, LimitsTable.none(), CostModel.free(Duration.ofMinutes(5)));
            }
        }
        SimulatedCloud cloud = b.build();
        Map<String, CloudProvider> out = new LinkedHashMap<>();
        for (String id : ids) {
            out.put(id, cloud.provider(id));
        }
        return new Providers(out, cloud);
    }

    /** Real providers for {@code ids} from the factories on the class path. */
    static Providers live(Set<String> ids, Map<String, Map<String, String>> flags, CliContext ctx) {
        Map<String, ProviderFactory> factories = factories();
        for (String id : flags.keySet()) {
            if (!ids.contains(id)) {
                throw new UsageException("--provider-setting names provider '" + id + "', which the plan does not"
                        + " use; its providers: " + String.join(", ", ids));
            }
        }
        Map<String, CloudProvider> out = new LinkedHashMap<>();
        for (String id : ids) {
            ProviderFactory f = factories.get(id);
            if (f == null) {
                out.values().forEach(CloudProvider::close);
                throw new UsageException(missing(id, factories.keySet()));
            }
            ProviderSettings settings = ProviderSettings.fromEnvironment(id, ctx.env())
                    .with(flags.getOrDefault(id, Map.of()));
            try {
                out.put(id, f.create(settings));
            } catch (RuntimeException e) {
                out.values().forEach(CloudProvider::close);
                if (e instanceof KilnException) {
                    throw e;
                }
                throw new KilnException("provider " + id + " could not be set up from its settings "
                        + settings.values().keySet() + ": " + e.getMessage(), e);
            }
        }
        return new Providers(out, null);
    }

    static String missing(String id, Set<String> available) {
        return "the plan uses provider '" + id + "', but no provider with that id is on kiln's class path"
                + " (available: " + (available.isEmpty() ? "none" : String.join(", ", available)) + "). Kiln finds"
                + " providers through ServiceLoader: the jar of a provider whose ProviderFactory has the id '" + id
                + "', with META-INF/services/dev.kiln.spi.ProviderFactory naming it, goes on kiln's class path.";
    }

    /** What plans may name: the catalogs of the providers on the class path, each with its regions and limits. */
    static List<ProviderCatalog> catalogs() {
        return factories().values().stream().map(ProviderFactory::catalog).toList();
    }

    /**
     * {@code context} checking plans against the providers kiln has: a provider, region or limit
     * none of them knows is a plan error, whether or not the command will call a provider.
     */
    static PlanContext checked(PlanContext context) {
        return context.withCatalogs(catalogs());
    }

    /** A fresh plan context for a command: now, a new run id, the command's environment, kiln's providers. */
    static PlanContext planContext(CliContext ctx) {
        return checked(PlanContext.of(TimeSource.system()).withEnv(ctx.env()));
    }

    /** The provider factories on the class path, by id. */
    static Map<String, ProviderFactory> factories() {
        Map<String, ProviderFactory> out = new TreeMap<>();
        try {
            for (ProviderFactory f : ServiceLoader.load(ProviderFactory.class, Providers.class.getClassLoader())) {
                out.putIfAbsent(f.id(), f);
            }
        } catch (ServiceConfigurationError e) {
            throw new KilnException("a provider on kiln's class path could not be loaded: " + e.getMessage(), e);
        }
        return out;
    }

    List<CloudProvider> list() {
        return List.copyOf(byId.values());
    }

    CloudProvider get(String id) {
        return byId.get(id);
    }

    boolean isSimulated() {
        return cloud != null;
    }

    /** Registers every provider with {@code kiln}; the Kiln closes them. */
    Kiln.Builder registerWith(Kiln.Builder kiln) {
        byId.values().forEach(kiln::provider);
        return kiln;
    }
}
