package dev.kiln.cli;

import dev.kiln.plan.BuildPlan;
import dev.kiln.plan.PlanContext;
import dev.kiln.plan.PlanFile;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** The plan a command works on, and which of its builds. */
final class PlanOptions {

    @Parameters(index = "0", paramLabel = "FILE", description = "The plan file (YAML, or JSON when named *.json).")
    Path file;

    @Mixin
    PlanFilter filter;

    /** Reads the plan and narrows it as the flags and environment say. */
    BuildPlan load(PlanContext context, CliContext ctx) {
        return narrow(PlanFile.load(file, context), ctx);
    }

    BuildPlan narrow(BuildPlan plan, CliContext ctx) {
        return filter.narrow(plan, file, ctx);
    }
}
