package dev.kiln.template;

/**
 * What a {@link StaticEvaluator} made of an expression: a value, or the reason it cannot know one
 * before packer runs.
 */
public sealed interface Evaluation {

    /** Whether the value is known. */
    default boolean isKnown() {
        return this instanceof Known;
    }

    /**
     * A value known before packer runs.
     *
     * @param value a {@link String}, {@link java.math.BigDecimal}, {@link Boolean}, unmodifiable
     *              {@link java.util.List} or {@link java.util.Map} of these, or null
     */
    record Known(Object value) implements Evaluation {
    }

    /**
     * A value that cannot be known statically.
     *
     * @param reason      why, in one word
     * @param explanation why, for a person: e.g. {@code timestamp() is the time packer runs: not static}
     * @param position    the expression that could not be evaluated
     */
    record Unknown(Reason reason, String explanation, TemplatePosition position) implements Evaluation {
    }

    /** Why a value is unknown. */
    enum Reason {
        /** It changes every time packer runs: {@code timestamp()}, {@code {{isotime}}}, {@code {{uuid}}}. */
        NOT_STATIC,
        /** A variable it reads has no default and was given no value (or, in JSON, is not declared). */
        NO_VALUE,
        /** It reads an environment variable and no environment was given to the evaluator. */
        ENVIRONMENT,
        /** Packer sets it while it builds: {@code source.name}, {@code build.ID}, {@code {{.Path}}}, data sources. */
        SET_BY_PACKER,
        /** The static evaluator does not evaluate it: a function it does not know, a directive, a splat. */
        NOT_EVALUATED,
        /** It is wrong: a type mismatch, an index out of range, a cycle of locals. */
        INVALID
    }
}
