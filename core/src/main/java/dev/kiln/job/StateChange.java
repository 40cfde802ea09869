package dev.kiln.job;

import java.time.Instant;

/**
 * One entry of a job's history.
 *
 * @param state  the state entered
 * @param at     when (from the run's time source)
 * @param reason why, in words; empty when obvious
 */
public record StateChange(JobState state, Instant at, String reason) {
}
