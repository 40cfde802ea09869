package dev.kiln.internal.plan;

import dev.kiln.plan.SourceLocation;

/**
 * Where a value of a plan was written and its dotted field path: what a {@link dev.kiln.plan.Problem}
 * points at.
 *
 * @param at    file, line and column, or {@link SourceLocation#IN_CODE}
 * @param field dotted path, e.g. {@code images[2].template}
 */
public record Site(SourceLocation at, String field) {
}
