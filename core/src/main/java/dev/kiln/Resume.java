package dev.kiln;

import dev.kiln.internal.run.Journal;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.PlanFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A run to go on with after its process died: its directory, what its journal
 * ({@code events.jsonl}) recorded, and the plan it was started with. Run it with
 * {@link Kiln#run(Resume)} or {@link Kiln#start(Resume)}: jobs that ended stay as they ended,
 * builds the crash caught under way are stopped (a packer process still running is killed), swept
 * and queued again, and the rest runs. The journal goes on in the same file, so the final report
 * covers the whole run.
 *
 * <pre>{@code
 * Resume crashed = Resume.read(Path.of("kiln-runs/r-20260301-0912"));
 * RunResult result = kiln.run(crashed);                       // the plan re-read from its file
 * RunResult again = kiln.run(crashed.withPlan(planInCode));   // a plan built in code
 * }</pre>
 */
public final class Resume {

    private final Path runDirectory;
    private final Journal journal;
    private final BuildPlan plan;

    private Resume(Path runDirectory, Journal journal, BuildPlan plan) {
        this.runDirectory = runDirectory;
        this.journal = journal;
        this.plan = plan;
    }

    /** Reads the journal of the run in {@code runDirectory}; fails when it holds none. */
    public static Resume read(Path runDirectory) {
        return new Resume(runDirectory, Journal.read(runDirectory), null);
    }

    /** This resumption with the plan the run was started with, e.g. one built in code. */
    public Resume withPlan(BuildPlan plan) {
        return new Resume(runDirectory, journal, plan);
    }

    public Path runDirectory() {
        return runDirectory;
    }

    /** The run's id, as its journal records it. */
    public String runId() {
        return journal.runId();
    }

    /** The plan given with {@link #withPlan}, if any. */
    public Optional<BuildPlan> plan() {
        return Optional.ofNullable(plan);
    }

    /** The plan file the run was started from, as its journal names it; fails for a run planned in code. */
    public Path planFile() {
        if (journal.planFile() == null) {
            throw new KilnException("the run in " + runDirectory + " was planned in code, not from a plan file;"
                    + " resume it with Resume.read(runDirectory).withPlan(plan) and the same plan");
        }
        return journal.planFile();
    }

    /**
     * The plan the run was started with: the plan file re-read in {@code context} (its name rules
     * and environment) with the run's id, time and commit, so every name comes out the same,
     * narrowed to the builds the run had (a run started on part of a plan resumes that part).
     */
    public BuildPlan readPlan(PlanContext context) {
        PlanContext base = context.withRunId(journal.runId());
        PlanContext asStarted = new PlanContext(journal.planCreatedAt() == null ? base.now()
                : journal.planCreatedAt(), journal.runId(), journal.gitSha(), base.nameRules(), base.env());
        BuildPlan read = PlanFile.load(planFile(), asStarted);
        if (journal.jobs().isEmpty()) {
            return read;
        }
        List<BuildJob> had = read.jobs().stream().filter(j -> journal.jobs().containsKey(j.id().value())).toList();
        if (had.size() < journal.jobs().size()) {
            throw new KilnException("the plan file " + journal.planFile() + " no longer has every build of run "
                    + journal.runId() + " (it has " + had.size() + " of them, the run had " + journal.jobs().size()
                    + "); resume with the plan file as it was when the run started");
        }
        return read.withJobs(had);
    }

    Journal journal() {
        return journal;
    }
}
