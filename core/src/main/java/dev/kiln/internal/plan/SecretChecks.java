package dev.kiln.internal.plan;

import dev.kiln.packer.Redactor;
import dev.kiln.plan.ImageSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Refuses sensitive values that masking would garble; see {@link #check}. */
final class SecretChecks {

    /** A value of letters alone, short enough to be a word someone writes: no secret, and masking it hides prose. */
    private static final Pattern ORDINARY_WORD = Pattern.compile("[A-Za-z]{1,15}");
    /** Templates are small; a larger file is not searched for a secret written in it. */
    private static final long MAX_TEMPLATE_READ = 4L << 20;

    private SecretChecks() {
    }

    /**
     * A sensitive value is masked in every log, report and message, so it must be one that masking
     * does not garble: long enough, not an ordinary word, and written nowhere else in the plan or
     * the template (where it would be ordinary text, and no secret either). An empty value (a
     * secret left out while planning offline) is nothing to mask.
     */
    static void check(PlanDraft.ImageDraft d, PlanDraft draft, Problems problems) {
        ImageSpec spec = d.spec();
        for (String name : new TreeSet<>(spec.sensitive())) {
            if (!(spec.variables().get(name) instanceof String value) || value.isEmpty()) {
                continue;
            }
            Site site = d.sites().at(Node.child("variables", name));
            if (value.length() < Redactor.MIN_MASKED_ANYWHERE) {
                problems.add(Messages.secretTooShort(site, name, Redactor.MIN_MASKED_ANYWHERE));
            } else if (ORDINARY_WORD.matcher(value).matches()) {
                problems.add(Messages.secretIsAWord(site, name));
            } else {
                String where = writtenElsewhere(d, draft, value);
                if (where != null) {
                    problems.add(Messages.secretWrittenElsewhere(site, name, where));
                }
            }
        }
    }

    /** Where else {@code value} is written as ordinary text: a field of the plan, or the template; null if nowhere. */
    private static String writtenElsewhere(PlanDraft.ImageDraft d, PlanDraft draft, String value) {
        ImageSpec spec = d.spec();
        for (var v : spec.variables().entrySet()) {
            if (!spec.sensitive().contains(v.getKey()) && Values.show(v.getValue()).contains(value)) {
                return "the plan, as " + d.sites().at(Node.child("variables", v.getKey())).field();
            }
        }
        List<String> plain = new ArrayList<>(List.of(spec.name(), spec.builderType(), spec.only(),
                draft.name() == null ? "" : draft.name()));
        if (spec.instanceSize() != null) {
            plain.add(spec.instanceSize());
        }
        for (PlanDraft.TargetDraft t : draft.targets() == null ? List.<PlanDraft.TargetDraft>of() : draft.targets()) {
            plain.add(t.account());
            plain.addAll(t.regions() == null ? List.of() : t.regions());
            plain.addAll(t.options().values());
        }
        if (plain.stream().anyMatch(text -> text.contains(value))) {
            return "the plan, as an image, account, region or option";
        }
        Path template = spec.template();
        try {
            if (Files.isRegularFile(template) && Files.size(template) <= MAX_TEMPLATE_READ
                    && Files.readString(template).contains(value)) {
                return "the template " + d.templateAsWritten();
            }
        } catch (IOException | RuntimeException e) {
            // A template that cannot be read is reported on its own; no second problem for its secrets.
        }
        return null;
    }
}
