package dev.kiln.testkit;

import java.security.SecureRandom;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Seeds for tests that draw faults at random, as a JUnit 5 extension: a test method takes a
 * {@link Seed} parameter and passes it to the emulators it starts ({@code .seed(seed.value())}).
 * Each run draws a new seed, so the suite explores new fault sequences; {@code -Dkiln.seed=N}
 * replays one. The seed is printed before the test and attached to its failure as the command
 * line that replays it.
 *
 * <pre>{@code
 * @ExtendWith(Seeded.class)
 * class StormTest {
 *     @Test
 *     void a_storm(Seed seed) { try (Ec2Emulator ec2 = Ec2Emulator.builder().seed(seed.value()).start()) { ... } }
 * }
 * }</pre>
 *
 * <p>The seed fixes what the emulator draws for each call it gets; which call gets which draw
 * also depends on the order in which packer and Kiln make their calls, which no seed fixes. A
 * replay therefore reproduces the faults' pattern, not always the very same run.
 */
public final class Seeded implements ParameterResolver, TestExecutionExceptionHandler {

    /** The system property that replays a seed. */
    public static final String PROPERTY = "kiln.seed";

    private static final SecureRandom FRESH = new SecureRandom();
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Seeded.class);

    /** A test's seed. */
    public record Seed(long value) {
        @Override
        public String toString() {
            return Long.toString(value);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Seed.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent("seed", key -> {
            String given = System.getProperty(PROPERTY);
            Seed seed;
            if (given == null || given.isBlank()) {
                seed = new Seed(FRESH.nextLong());
            } else {
                try {
                    seed = new Seed(Long.parseLong(given.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("-D" + PROPERTY + " must be a whole number (a seed a test"
                            + " printed), got '" + given + "'", e);
                }
            }
            System.out.printf("kiln seed %d for %s (%s)%n", seed.value(), context.getDisplayName(), replay(seed,
                    context));
            return seed;
        }, Seed.class);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        Seed seed = context.getStore(NAMESPACE).get("seed", Seed.class);
        if (seed != null) {
            failure.addSuppressed(new SeedNote(replay(seed, context)));
        }
        throw failure;
    }

    private static String replay(Seed seed, ExtensionContext context) {
        String test = context.getRequiredTestClass().getSimpleName() + context.getTestMethod()
                .map(m -> "#" + m.getName()).orElse("");
        return "replay with -D" + PROPERTY + "=" + seed.value() + " -Dtest='" + test + "'";
    }

    /** Attached to a failure: how to run the test again with the same seed. */
    private static final class SeedNote extends Throwable {
        SeedNote(String message) {
            super(message, null, false, false);
        }
    }
}
