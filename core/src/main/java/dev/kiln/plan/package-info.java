/**
 * What to build where: a {@link dev.kiln.plan.BuildPlan} of expanded, named, immutable jobs, made from a
 * plan file or the {@link dev.kiln.plan.Fleet} builder; bad input is a {@link dev.kiln.plan.PlanException}
 * naming each problem's file, field and value.
 */
package dev.kiln.plan;
