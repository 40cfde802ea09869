package dev.kiln;

import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Target;
import java.util.Optional;

/**
 * The root of every exception Kiln throws for misuse or failure. Expected outcomes (throttled,
 * short of quota, name taken) are values, not exceptions. Messages are written for the person who
 * has to fix the problem and never contain secret values.
 *
 * <p>Where it is known, an exception also carries what it is about as fields a program can read
 * without parsing the message: the job, the target and the provider ({@link Context}).
 */
public class KilnException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Set only when known; empty otherwise. */
    private final String job;
    private final String target;
    private final String provider;

    public KilnException(String message) {
        this(message, Context.NONE, null);
    }

    public KilnException(String message, Throwable cause) {
        this(message, Context.NONE, cause);
    }

    public KilnException(String message, Context context) {
        this(message, context, null);
    }

    public KilnException(String message, Context context, Throwable cause) {
        super(message, cause);
        this.job = context.job();
        this.target = context.target();
        this.provider = context.provider();
    }

    /** The id of the job this is about ({@code JobId.value()}), when it is about one. */
    public Optional<String> job() {
        return Optional.ofNullable(job);
    }

    /** The key of the target this is about ({@code Target.key()}, e.g. {@code aws/123456789012/us-east-1}). */
    public Optional<String> target() {
        return Optional.ofNullable(target);
    }

    /** The id of the provider this is about ({@code CloudProvider.id()}). */
    public Optional<String> provider() {
        return Optional.ofNullable(provider);
    }

    /**
     * Whether the same call may succeed if tried again a little later: the cloud answered that it
     * is unavailable (a 5xx), throttled past its SDK's own retries, or could not be reached. Kiln
     * tries such calls again, with backoff, before refusing a build for them; the default is no.
     */
    public boolean isTransient() {
        return false;
    }

    /** The context of this exception, as given. */
    public Context context() {
        return new Context(job, target, provider);
    }

    /**
     * What an exception is about; each part may be null.
     *
     * @param job      a job id
     * @param target   a target key
     * @param provider a provider id
     */
    public record Context(String job, String target, String provider) {

        /** About nothing in particular. */
        public static final Context NONE = new Context(null, null, null);

        /** About a job, its target and its provider. */
        public static Context of(BuildJob job) {
            return new Context(job.id().value(), job.target().key(), job.target().provider());
        }

        /** About a target and its provider. */
        public static Context of(Target target) {
            return new Context(null, target.key(), target.provider());
        }

        /** About the job of this id. */
        public static Context ofJob(String jobId) {
            return new Context(jobId, null, null);
        }

        /** About the provider of this id. */
        public static Context ofProvider(String providerId) {
            return new Context(null, null, providerId);
        }
    }
}
