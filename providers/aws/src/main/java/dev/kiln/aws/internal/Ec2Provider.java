package dev.kiln.aws.internal;

import dev.kiln.job.FailureClass;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.naming.NameRule;
import dev.kiln.naming.NameRules;
import dev.kiln.packer.Artifact;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.Target;
import dev.kiln.spi.ArtifactCheck;
import dev.kiln.spi.Budget;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderContext;
import dev.kiln.spi.SweepReport;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.model.Image;

/** What {@code dev.kiln.aws.AwsProvider} does; not API. */
public final class Ec2Provider implements CloudProvider {

    private final AwsSettings settings;
    private final Api api;
    private final Quotas quotas;
    private final Artifacts artifacts;
    private final Sweeper sweeper;
    private final Diagnosis diagnosis;
    private final PackerTuning tuning;

    public Ec2Provider(AwsSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.api = new Api(settings);
        this.quotas = new Quotas(api, settings.checkAccount());
        this.artifacts = new Artifacts(api);
        this.sweeper = new Sweeper(api, settings.sweepTimeout());
        this.diagnosis = new Diagnosis(api, settings.buildHostAddresses());
        this.tuning = new PackerTuning(settings);
    }

    @Override
    public String id() {
        return "aws";
    }

    @Override
    public void start(ProviderContext context) {
        api.start(Objects.requireNonNull(context, "context"));
    }

    @Override
    public NameRule nameRule() {
        return NameRules.aws();
    }

    @Override
    public LimitsTable apiLimits(Target target) {
        return ProviderDefaults.aws();
    }

    @Override
    public CostModel costModel(ImageSpec image, Target target) {
        return tuning.costModel();
    }

    @Override
    public Demand demandOf(BuildJob job) {
        return quotas.demandOf(job);
    }

    @Override
    public QuotaSnapshot probeQuotas(Target target) {
        return quotas.probe(target);
    }

    @Override
    public boolean imageExists(Target target, String name) {
        List<Image> images = api.ec2(target, "DescribeImages", ec2 -> ec2.describeImages(r -> r.owners("self")
                .filters(Tags.filter("name", name)))).images();
        return images.stream().anyMatch(i -> !"deregistered".equals(i.stateAsString()));
    }

    @Override
    public ArtifactCheck verifyArtifact(BuildJob job, List<Artifact> reported) {
        return artifacts.verify(job, reported);
    }

    @Override
    public SweepReport sweep(Target target, String buildId) {
        return sweeper.sweep(target, buildId);
    }

    @Override
    public Map<String, String> packerEnv(Target target, Budget budget) {
        return tuning.env(target, budget);
    }

    @Override
    public Optional<String> diagnose(BuildJob job, FailureClass failure) {
        if (failure != FailureClass.COMMUNICATOR_TIMEOUT) {
            return Optional.empty();
        }
        return diagnosis.communicatorTimeout(job);
    }

    @Override
    public void close() {
        api.close();
    }

    @Override
    public String toString() {
        return "AwsProvider[" + settings + "]";
    }
}
