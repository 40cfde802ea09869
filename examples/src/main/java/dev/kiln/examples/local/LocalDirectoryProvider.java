package dev.kiln.examples.local;

import dev.kiln.KilnException;
import dev.kiln.KilnException.Context;
import dev.kiln.limits.CostModel;
import dev.kiln.limits.LimitSpec;
import dev.kiln.limits.LimitsTable;
import dev.kiln.limits.Quota;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.limits.Scope;
import dev.kiln.naming.NameRule;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A custom {@link CloudProvider}: images that packer builds into a directory on this machine (a
 * qemu or virtualbox output directory, or anything a shell-local provisioner writes), one
 * subdirectory per "region" (a disk pool). Plans use it as {@code provider: local}.
 *
 * <p>What a provider owes Kiln, here in its smallest honest form:
 * <ul>
 *   <li>limits: how many builds a pool takes at once (a concurrency limit each build holds);</li>
 *   <li>a cost model: how long a build takes, what it holds;</li>
 *   <li>quotas: the pool's free disk and how many images it may keep, probed live;</li>
 *   <li>names: an image is the directory {@code <pool>/<image name>}; unique per pool;</li>
 *   <li>verification: the directory exists and its {@code .kiln-build-id} names the build;</li>
 *   <li>sweeps: everything under {@code <pool>/.work} and any image whose marker names the build;</li>
 *   <li>packer's environment: {@code KILN_LOCAL_OUTPUT}, where the template writes.</li>
 * </ul>
 * Its "API" is the file system, and still every operation goes through Kiln's gate, as a cloud
 * provider's calls must.
 */
public final class LocalDirectoryProvider implements CloudProvider {

    /** The provider id plans use. */
    public static final String ID = "local";
    /** The file in an image directory, and in a build's work directory, that names the build. */
    public static final String MARKER = ".kiln-build-id";
    /** The concurrency limit each build holds one unit of. */
    public static final String BUILDS = "local.builds";
    /** The API names this provider's gate is asked for. */
    static final String READ = "local.read";
    static final String DELETE = "local.delete";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

    private final Path root;
    private final int buildsPerPool;
    private final long maxImages;
    private volatile ProviderContext context;

    private LocalDirectoryProvider(Path root, int buildsPerPool, long maxImages) {
        this.root = root.toAbsolutePath().normalize();
        this.buildsPerPool = buildsPerPool;
        this.maxImages = maxImages;
    }

    /**
     * A provider over {@code root}.
     *
     * @param buildsPerPool builds a pool runs at once
     * @param maxImages     images a pool may keep
     */
    public static LocalDirectoryProvider of(Path root, int buildsPerPool, long maxImages) {
        if (buildsPerPool < 1 || maxImages < 1) {
            throw new IllegalArgumentException("builds per pool and max images must be at least 1");
        }
        return new LocalDirectoryProvider(root, buildsPerPool, maxImages);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public void start(ProviderContext ctx) {
        this.context = ctx;
    }

    @Override
    public NameRule nameRule() {
        return new NameRule() {
            @Override
            public Optional<String> check(String name) {
                return NAME.matcher(name).matches() ? Optional.empty()
                        : Optional.of("a directory name of 1-100 lowercase letters, digits, '.', '_' and '-'");
            }

            @Override
            public String uniquenessScope(Target target) {
                return target.key();
            }
        };
    }

    @Override
    public LimitsTable apiLimits(Target target) {
        return LimitsTable.builder()
                .limit(BUILDS, LimitSpec.concurrency(buildsPerPool), Scope.REGION)
                .build();
    }

    @Override
    public CostModel costModel(ImageSpec image, Target target) {
        return new CostModel(Duration.ofMinutes(2), List.of(), Map.of(BUILDS, 1L));
    }

    @Override
    public Demand demandOf(BuildJob job) {
        return Demand.NONE.with(Demand.DISK_GB, Math.max(1, job.image().diskGb())).with(Demand.IMAGES, 1);
    }

    @Override
    public QuotaSnapshot probeQuotas(Target target) {
        gate(target, READ);
        Path pool = pool(target);
        try {
            Files.createDirectories(pool);
            FileStore store = Files.getFileStore(pool);
            long gb = 1024L * 1024 * 1024;
            long total = store.getTotalSpace() / gb;
            long used = total - store.getUsableSpace() / gb;
            Map<String, Quota> quotas = new LinkedHashMap<>();
            quotas.put(Demand.DISK_GB, new Quota(Demand.DISK_GB, Scope.REGION, total, Math.max(0, used)));
            quotas.put(Demand.IMAGES, new Quota(Demand.IMAGES, Scope.REGION, maxImages, images(pool).size()));
            return new QuotaSnapshot(target, context == null ? Instant.EPOCH : context.time().now(),
                    quotas);
        } catch (IOException e) {
            throw new KilnException("cannot probe the pool " + pool + ": " + e.getMessage(), Context.of(target), e);
        }
    }

    @Override
    public boolean imageExists(Target target, String name) {
        gate(target, READ);
        return Files.isDirectory(pool(target).resolve(name));
    }

    @Override
    public ArtifactCheck verifyArtifact(BuildJob job, List<Artifact> artifacts) {
        gate(job.target(), READ);
        Path image = pool(job.target()).resolve(job.imageName());
        String owner = marker(image);
        if (owner == null) {
            return ArtifactCheck.failed("no image directory " + image + " with a " + MARKER + " file");
        }
        if (!owner.equals(job.buildId())) {
            return ArtifactCheck.failed(image + " was made by build " + owner + ", not " + job.buildId());
        }
        return ArtifactCheck.ok(List.of(image.toString()));
    }

    @Override
    public SweepReport sweep(Target target, String buildId) {
        gate(target, DELETE);
        Path pool = pool(target);
        List<String> deleted = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        List<Path> candidates = new ArrayList<>(list(pool.resolve(".work")));
        candidates.addAll(images(pool));
        for (Path dir : candidates) {
            if (buildId.equals(marker(dir))) {
                try {
                    deleteTree(dir);
                    deleted.add(dir.toString());
                } catch (UncheckedIOException e) {
                    failed.add(dir + ": " + e.getCause().getMessage());
                }
            }
        }
        return new SweepReport(deleted, failed);
    }

    @Override
    public Map<String, String> packerEnv(Target target, Budget budget) {
        return Map.of("KILN_LOCAL_OUTPUT", pool(target).toString());
    }

    /** The pool directory of {@code target}: {@code <root>/<region>}. */
    public Path pool(Target target) {
        Path pool = root.resolve(target.region()).normalize();
        if (!pool.startsWith(root)) {
            throw new KilnException("pool '" + target.region() + "' of " + target.key() + " leaves " + root,
                    Context.of(target));
        }
        return pool;
    }

    private void gate(Target target, String api) {
        ProviderContext ctx = context;
        if (ctx == null) {
            return;
        }
        try {
            ctx.gate(target).acquire(api);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KilnException("interrupted waiting for the " + api + " budget of " + target.key(),
                    Context.of(target), e);
        }
    }

    private static List<Path> images(Path pool) {
        return list(pool).stream().filter(p -> !p.getFileName().toString().startsWith(".")).toList();
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String marker(Path dir) {
        Path m = dir.resolve(MARKER);
        try {
            return Files.isRegularFile(m) ? Files.readString(m, StandardCharsets.UTF_8).strip() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "LocalDirectoryProvider[" + root + "]";
    }
}
