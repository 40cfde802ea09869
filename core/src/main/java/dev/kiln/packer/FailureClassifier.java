package dev.kiln.packer;

import dev.kiln.internal.packer.OutputPatterns;
import dev.kiln.job.FailureClass;
import dev.kiln.spi.BuildExit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tells why a packer build failed from its exit and its output, and shows the line that told.
 *
 * <p>The error lines packer printed are read first, in the order packer printed them, then every
 * other line; the first line that matches a rule decides, so the cause wins over the cleanup errors
 * that follow it. The rules know how packer 1.6 and later and the AWS, Azure, Google Cloud and
 * vSphere builders word throttling, quotas, capacity, communicator timeouts, provisioner failures,
 * credentials, template errors and image-name collisions. A build killed at its timeout is
 * {@link FailureClass#TIMED_OUT}, unless it was still waiting for SSH or WinRM, which makes it a
 * {@link FailureClass#COMMUNICATOR_TIMEOUT}. A failure before any build started, with nothing more
 * telling, is a {@link FailureClass#TEMPLATE_INVALID}.
 *
 * <p>Immutable and thread-safe.
 */
public final class FailureClassifier {

    private static final FailureClassifier STANDARD = new FailureClassifier(List.of());
    private static final int MAX_EVIDENCE = 1000;

    private final List<OutputPatterns.Rule> extraRules;
    private final List<OutputPatterns.Rule> rules;

    private FailureClassifier(List<OutputPatterns.Rule> extraRules) {
        this.extraRules = List.copyOf(extraRules);
        List<OutputPatterns.Rule> all = new ArrayList<>(extraRules);
        all.addAll(OutputPatterns.rules());
        this.rules = List.copyOf(all);
    }

    /** The built-in rules. */
    public static FailureClassifier standard() {
        return STANDARD;
    }

    /**
     * A classifier that tries {@code pattern} before the built-in rules, for wording of a builder or
     * provisioner Kiln does not know.
     */
    public FailureClassifier withRule(FailureClass failure, Pattern pattern) {
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(pattern, "pattern");
        List<OutputPatterns.Rule> extra = new ArrayList<>(extraRules);
        extra.add(new OutputPatterns.Rule(failure, pattern));
        return new FailureClassifier(extra);
    }

    /**
     * Classifies a failed build.
     *
     * @param exit   how it ended; its {@link BuildExit#failure()} wins when present
     * @param output its output lines, machine-readable or plain, in order (the runner's log or the
     *               texts of its events)
     * @throws IllegalArgumentException when the build succeeded: there is nothing to classify
     */
    public Diagnosis classify(BuildExit exit, List<String> output) {
        Objects.requireNonNull(exit, "exit");
        Objects.requireNonNull(output, "output");
        if (exit.succeeded()) {
            throw new IllegalArgumentException("the build succeeded (exit 0); only failures are classified");
        }
        if (exit.failure().isPresent()) {
            return new Diagnosis(exit.failure().get(), Optional.empty());
        }
        if (exit.timedOut()) {
            return communicatorStillWaiting(output)
                    .map(line -> new Diagnosis(FailureClass.COMMUNICATOR_TIMEOUT, Optional.of(line)))
                    .orElseGet(() -> new Diagnosis(FailureClass.TIMED_OUT,
                            Optional.of("killed after exceeding its timeout")));
        }

        List<String> candidates = new ArrayList<>(exit.errors());
        for (String line : output) {
            if (OutputPatterns.isErrorLine(line)) {
                candidates.add(line);
            }
        }
        candidates.addAll(output);
        for (String candidate : candidates) {
            String text = OutputPatterns.textOf(candidate);
            for (String physical : text.split("\\R")) {
                for (OutputPatterns.Rule rule : rules) {
                    Matcher m = rule.pattern().matcher(physical);
                    if (m.find()) {
                        return new Diagnosis(rule.failure(), Optional.of(evidence(physical)));
                    }
                }
            }
        }

        Optional<String> lastError = lastError(exit, output);
        if (exit.exitCode() == 1 && lastError.isPresent() && !exit.buildStarted() && !buildStarted(output)) {
            return new Diagnosis(FailureClass.TEMPLATE_INVALID, lastError);
        }
        return new Diagnosis(FailureClass.UNKNOWN, lastError);
    }

    private static Optional<String> communicatorStillWaiting(List<String> output) {
        String waiting = null;
        for (String line : output) {
            String text = OutputPatterns.textOf(line);
            if (OutputPatterns.isWaitingForCommunicator(text)) {
                waiting = text;
            } else if (OutputPatterns.isCommunicatorConnected(text)) {
                waiting = null;
            }
        }
        return Optional.ofNullable(waiting).map(FailureClassifier::evidence);
    }

    private static boolean buildStarted(List<String> output) {
        for (String line : output) {
            if (OutputPatterns.showsBuildStarted(OutputPatterns.textOf(line))) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> lastError(BuildExit exit, List<String> output) {
        String last = null;
        for (String line : output) {
            if (OutputPatterns.isErrorLine(line)) {
                last = OutputPatterns.textOf(line);
            }
        }
        if (last == null && !exit.errors().isEmpty()) {
            last = exit.errors().get(exit.errors().size() - 1);
        }
        return Optional.ofNullable(last).map(String::strip).filter(s -> !s.isEmpty()).map(FailureClassifier::evidence);
    }

    private static String evidence(String line) {
        String s = line.strip();
        return s.length() <= MAX_EVIDENCE ? s : s.substring(0, MAX_EVIDENCE) + "...";
    }

    /**
     * Why a build failed.
     *
     * @param failure  the class of failure
     * @param evidence the output line that showed it, when one did
     */
    public record Diagnosis(FailureClass failure, Optional<String> evidence) {
        public Diagnosis {
            Objects.requireNonNull(failure, "failure");
            Objects.requireNonNull(evidence, "evidence");
        }
    }
}
