/**
 * A job's lifecycle: {@link dev.kiln.job.JobState}, the one table of states and their transitions, the
 * failure classes a build ends in, and the retry policy that decides what happens next.
 */
package dev.kiln.job;
