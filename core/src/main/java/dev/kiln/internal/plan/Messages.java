package dev.kiln.internal.plan;

import dev.kiln.plan.Problem;
import dev.kiln.plan.SourceLocation;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Every message a plan can be refused with, in one place: tests assert these texts, so they are
 * API. Each says what is wrong and what would be accepted; none shows a secret value (callers
 * pass {@link Problems#MASK} for those) or a parser's raw output.
 */
final class Messages {

    private Messages() {
    }

    private static Problem at(Site site, String value, String allowed) {
        return new Problem(site.at(), site.field(), value, allowed);
    }

    private static String quotedList(Collection<String> items) {
        return items.stream().collect(Collectors.joining(", "));
    }

    private static String didYouMean(Optional<String> suggestion) {
        return suggestion.map(s -> "did you mean '" + s + "'? ").orElse("");
    }

    // --- reading the file

    static Problem cannotRead(Path file, String reason) {
        return at(new Site(new SourceLocation(file, 0, 0), "(file)"), null, "cannot be read: " + reason);
    }

    static Problem notUtf8(Path file, long offset) {
        return at(new Site(new SourceLocation(file, 0, 0), "(file)"), null,
                "is not UTF-8 text (bad byte at offset " + offset + "); save the plan as UTF-8");
    }

    static Problem emptyFile(Site site) {
        return at(site, null, "the plan is empty; a plan needs at least kiln: 1, name, environments, targets"
                + " and images");
    }

    static Problem secondDocument(Site site) {
        return at(site, null, "a plan file holds one YAML document; a second one starts here");
    }

    static Problem unreadable(Site site, boolean json) {
        return at(site, null, "could not be read as " + (json ? "JSON" : "YAML"));
    }

    static Problem yamlSyntax(Site site, String problem, String context) {
        String reason = problem == null || problem.isBlank() ? "syntax error" : problem.strip();
        return at(site, null, "not valid YAML: " + reason + (context == null ? "" : " (" + context + ")"));
    }

    static Problem syntax(Site site, boolean json, String parserReason) {
        String format = json ? "JSON" : "YAML";
        String reason = parserReason == null ? "" : parserReason.lines().findFirst().orElse("");
        if (reason.contains("AliasEvent")) {
            return at(site, null, "not valid " + format + ": a YAML alias is used as a key; aliases are not"
                    + " supported in plan files");
        }
        // Jackson quotes the offending token; it may be a secret written without quotes.
        reason = reason.replaceAll("token '[^']*'", "token")
                .replaceAll("<[^>]*\\.[^>]*>", "")
                .replaceAll("\\s*\\(\\d+, from `[^`]*`\\)", "")
                .strip();
        boolean internal = reason.contains("org.") || reason.contains("com.") || reason.contains("Exception")
                || reason.isEmpty();
        return at(site, null, "not valid " + format + (internal ? "" : ": " + reason));
    }

    static Problem alias(Site site, String name) {
        return at(site, "*" + name, "YAML aliases are not supported in plan files; write the value out");
    }

    static Problem tooDeep(Site site, int max) {
        return at(site, null, "nested more than " + max + " levels deep; a plan is never this deep");
    }

    static Problem duplicateKey(Site site, SourceLocation first) {
        return at(site, null, "duplicate key; it was first written at line " + first.line() + ", column "
                + first.column());
    }

    // --- shape

    static Problem unknownKey(Site site, String key, List<String> allowed) {
        return at(site, null, "unknown key; " + didYouMean(Suggest.closest(key, allowed)) + "allowed keys: "
                + quotedList(allowed));
    }

    static Problem wrongType(Site site, String value, String gotKind, String expected) {
        return at(site, value, "expected " + expected + ", got " + gotKind);
    }

    static Problem required(Site site, String what) {
        return at(site, null, "required: " + what);
    }

    static Problem accountNotText(Site site, String value) {
        return at(site, value, "expected text in quotes, e.g. account: \"" + value + "\"; unquoted digits are read"
                + " as a number and lose leading zeros");
    }

    static Problem version(Site site, String value) {
        return at(site, value, "unsupported plan format version; this Kiln reads kiln: 1");
    }

    static Problem notWhole(Site site, String value, long min, long max) {
        return at(site, value, "expected a whole number from " + min + " to " + max);
    }

    static Problem notPositiveNumber(Site site, String value) {
        return at(site, value, "expected a number greater than 0, e.g. 2 or 0.5");
    }

    static Problem badDuration(Site site, String value) {
        return at(site, value, "not a duration; write " + Durations.EXAMPLES);
    }

    static Problem durationNotPositive(Site site, String value) {
        return at(site, value, "must be longer than zero");
    }

    static Problem durationNegative(Site site, String value) {
        return at(site, value, "must not be negative");
    }

    static Problem notAtLeast(Site site, String value, double min) {
        return at(site, value, "expected a number of at least " + (min == Math.rint(min) ? String.valueOf((long) min)
                : String.valueOf(min)));
    }

    static Problem regionAndRegions(Site site) {
        return at(site, null, "write either region or regions, not both");
    }

    static Problem limitShape(Site site, Collection<String> keys) {
        return at(site, null, "a limit is one of {capacity, refill_per_second} (token bucket), {limit, window}"
                + " (fixed window) or {max_cost} (concurrency); got {" + quotedList(keys) + "}");
    }

    static Problem badPath(Site site, String value) {
        return at(site, value, "not a valid file path");
    }

    // --- ${env:NAME}

    static Problem envUnset(Site site, String shown, String name) {
        return at(site, shown, "environment variable " + name + " is not set");
    }

    static Problem envBadReference(Site site, String shown) {
        return at(site, shown, "a reference to the environment is written ${env:NAME}, NAME being letters, digits"
                + " and '_', not starting with a digit");
    }

    // --- values (checked by the planner, for files and code alike)

    static Problem badFormat(Site site, String value, String allowed) {
        return at(site, value, allowed);
    }

    static Problem atLeastOne(Site site, String what) {
        return at(site, null, "required: at least one " + what);
    }

    static Problem duplicate(Site site, String value, String what, Site first) {
        return at(site, value, "duplicate " + what + "; already " + where(first));
    }

    private static String where(Site first) {
        return first.at().line() > 0
                ? "at line " + first.at().line() + " (" + first.field() + ")"
                : "given as " + first.field();
    }

    static Problem unknownEnvironment(Site site, String value, List<String> environments) {
        return at(site, value, "not one of the plan's environments; "
                + didYouMean(Suggest.closest(value, environments)) + "environments: " + quotedList(environments));
    }

    static Problem unknownProvider(Site site, String value, Collection<String> providers) {
        return at(site, value, "no target has this provider; "
                + didYouMean(Suggest.closest(value, providers)) + "targets' providers: " + quotedList(providers));
    }

    // --- what the providers know (their catalogs)

    static Problem unknownProviderId(Site site, String value, Optional<String> meant, Collection<String> known) {
        return at(site, value, "no provider has this id; " + didYouMean(meant) + "providers: " + quotedList(known)
                + ". A provider of your own is found through ServiceLoader: its jar, with"
                + " META-INF/services/dev.kiln.spi.ProviderFactory naming its factory, goes on kiln's class path");
    }

    static Problem unknownRegion(Site site, String value, String provider, String word, String source,
                                 Optional<String> meant, Collection<String> nearest, int known) {
        String listed = meant.map(m -> "did you mean '" + m + "'?").orElse((known <= 50 ? provider + " " + word
                + "s: " : known + " " + provider + " " + word + "s, the nearest: ") + quotedList(nearest) + ".");
        return at(site, value, "not " + article(provider) + " " + provider + " " + word + " (" + source + "); "
                + listed + " A " + word + " newer than the list (or a private one) is declared under the target's"
                + " custom_regions");
    }

    static Problem unknownLimit(Site site, String provider, Optional<String> meant, String limits) {
        return at(site, null, "unknown limit of " + provider + "; " + didYouMean(meant) + provider + "'s limits: "
                + limits);
    }

    static Problem limitOfAnotherProvider(Site site, String provider, String owner, String limits) {
        return at(site, null, "a limit of " + owner + ", not of " + provider + "; " + provider + "'s limits: "
                + limits);
    }

    private static String article(String word) {
        return !word.isEmpty() && "aeiou".indexOf(Character.toLowerCase(word.charAt(0))) >= 0 ? "an" : "a";
    }

    // --- secrets that masking would garble

    static Problem secretTooShort(Site site, String name, int min) {
        return at(site, null, "sensitive, but shorter than " + min + " characters: a value this short cannot be"
                + " masked in logs and reports without hiding ordinary text, and protects little; use a longer"
                + " secret, or take " + name + " out of sensitive if it is no secret");
    }

    static Problem secretIsAWord(Site site, String name) {
        return at(site, null, "sensitive, but a single word of letters: ordinary text holds words like it, and"
                + " masking it would hide them too; use a longer secret with digits or symbols, or take " + name
                + " out of sensitive if it is no secret");
    }

    static Problem secretWrittenElsewhere(Site site, String name, String where) {
        return at(site, null, "sensitive, but its value is also written in " + where + ": masking it would hide"
                + " that text too, and a value written there is no secret; give " + name + " a value of its own, or"
                + " take it out of sensitive");
    }

    static Problem unknownSensitive(Site site, String value, Collection<String> variables) {
        return at(site, value, "not a variable of this image, so nothing is masked; "
                + didYouMean(Suggest.closest(value, variables))
                + (variables.isEmpty() ? "the image has no variables" : "variables: " + quotedList(variables)));
    }

    static Problem unknownPlaceholder(Site site, String template, String reason, String placeholder,
                                      Collection<String> placeholders) {
        String hint = placeholder == null ? ""
                : Suggest.closest(placeholder, placeholders).map(s -> "; did you mean {" + s + "}?").orElse("");
        return at(site, template, reason + hint);
    }

    static Problem templateMissing(Site site, String written, Path resolved) {
        return at(site, written, "no such file: " + resolved);
    }

    static Problem templateNotFile(Site site, String written, Path resolved) {
        return at(site, written, "not a file: " + resolved);
    }

    static Problem templateEscapes(Site site, String written, Path baseDir) {
        return at(site, written, "leaves the plan's directory " + baseDir + "; templates must live under the"
                + " directory of the plan file");
    }

    static Problem templateLinkEscapes(Site site, String written, Path real, Path baseDir) {
        return at(site, written, "resolves through a symbolic link to " + real + ", outside the plan's directory "
                + baseDir + "; templates must live under the directory of the plan file");
    }

    static Problem matchesNoTarget(Site site, String image, String builder, Collection<String> providers) {
        return at(site, builder, "image '" + image + "' matches no target: " + builder + " builds run on "
                + quotedList(providers) + " and no target has that provider; add a target or set providers:");
    }

    static Problem invalidName(Site site, String rendered, String job, String provider, String rule) {
        return at(site, rendered, "the image name of job " + job + " is not a valid " + provider + " image name: "
                + rule);
    }

    static Problem nameCollision(Site site, String name, String job, String otherJob, String scope,
                                 String suggestion) {
        return at(site, name, "jobs " + otherJob + " and " + job + " would both create this image name, and names"
                + " must be unique per " + scope + "; add " + suggestion + " to the name template");
    }

    static Problem unknownImage(Site site, String value, Collection<String> images) {
        return at(site, value, "no image has this name; " + didYouMean(Suggest.closest(value, images))
                + "images: " + quotedList(images));
    }

    static Problem cycle(Site site, List<String> cycle) {
        return at(site, null, "dependency cycle: " + String.join(" -> ", cycle));
    }

    static Problem dependencyNotBuilt(Site site, String image, String dependency, String accountKey, String env) {
        return at(site, dependency, "image '" + image + "' builds on " + accountKey + " in " + env + ", where '"
                + dependency + "' has no build; a build waits only for builds on its own provider, account and"
                + " environment");
    }

    static Problem backoffOrder(Site site, String initial, String max) {
        return at(site, null, "initial backoff " + initial + " is longer than max " + max);
    }
}
