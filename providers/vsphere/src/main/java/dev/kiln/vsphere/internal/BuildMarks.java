package dev.kiln.vsphere.internal;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a build marks what it makes, since packer 1.6.6's vSphere builders cannot tag: the VM's
 * {@code notes} (its annotation) and a content library item's {@code description} carry
 * {@code kiln-build-id=<build id>} and, for the dead man's switch, {@code kiln-expires-at=<epoch
 * seconds>}, as words anywhere in the text. They are set when the VM is created (CloneVM and
 * CreateVM carry the annotation), so even what a killed packer left behind is found.
 */
final class BuildMarks {

    static final String BUILD_ID = "kiln-build-id";
    static final String EXPIRES_AT = "kiln-expires-at";

    private BuildMarks() {
    }

    static Optional<String> buildId(String text) {
        return value(text, BUILD_ID);
    }

    static Optional<String> expiresAt(String text) {
        return value(text, EXPIRES_AT);
    }

    /** Whether {@code text} marks the build {@code buildId}. */
    static boolean marks(String text, String buildId) {
        return buildId(text).filter(buildId::equals).isPresent();
    }

    private static Optional<String> value(String text, String key) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = Pattern.compile("(?:^|[\\s;,])" + Pattern.quote(key) + "=([^\\s;,]*)").matcher(text);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
