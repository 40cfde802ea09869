/** Admission: a job's budget against the run's limits, quotas and host slots. Not exported. */
package dev.kiln.internal.limits;
