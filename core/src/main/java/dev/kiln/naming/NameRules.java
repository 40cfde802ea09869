package dev.kiln.naming;

import dev.kiln.plan.Target;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The image-name rules of the four providers Kiln knows, as the providers document them.
 * A provider module may supply its own rule through {@code CloudProvider#nameRule()}.
 */
public final class NameRules {

    private NameRules() {
    }

    private static final Pattern AMI = Pattern.compile("[A-Za-z0-9()\\[\\] ./\\-'@_]{3,128}");
    private static final Pattern GCE = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern AZURE = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.\\-]{0,78}[A-Za-z0-9_])?");
    private static final Pattern VSPHERE = Pattern.compile("[^%/\\\\]{1,80}");

    /** AMI names: 3-128 characters of letters, digits and {@code ( ) [ ] space . / - ' @ _}; per account and region. */
    public static NameRule aws() {
        return new Rule(AMI, "3-128 characters of letters, digits and ()[] ./-'@_", false, false);
    }

    /** GCE image names: lowercase RFC 1035 label, at most 63 characters; unique per project. */
    public static NameRule gcp() {
        return new Rule(GCE, "a lowercase RFC 1035 name: a letter, then up to 62 lowercase letters, digits"
                + " or '-', not ending in '-'", true, true);
    }

    /** Azure managed image names: 1-80 characters, letters, digits, '_', '.', '-', not starting with one of '_.-' or ending in '.' or '-'. */
    public static NameRule azure() {
        return new Rule(AZURE, "1-80 characters of letters, digits, '_', '.' and '-', starting with a letter or"
                + " digit and ending with a letter, digit or '_'", false, false);
    }

    /** vSphere VM and template names: 1-80 characters without '%', '/' or '\'. */
    public static NameRule vsphere() {
        return new Rule(VSPHERE, "1-80 characters without '%', '/' or '\\'", false, false);
    }

    /** The built-in rule for a provider id; an unknown provider gets the strictest common rule. */
    public static NameRule forProvider(String provider) {
        return switch (provider) {
            case "aws" -> aws();
            case "gcp" -> gcp();
            case "azure" -> azure();
            case "vsphere" -> vsphere();
            default -> new Rule(Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?"),
                    "a lowercase name of letters, digits and '-', at most 63 characters", false, false);
        };
    }

    private record Rule(Pattern pattern, String allowed, boolean projectScoped, boolean lowercase)
            implements NameRule {

        @Override
        public Optional<String> check(String name) {
            if (pattern.matcher(name).matches()) {
                return Optional.empty();
            }
            return Optional.of(allowed + " (got " + name.length() + " characters)");
        }

        @Override
        public String uniquenessScope(Target target) {
            return projectScoped ? target.accountKey() : target.key();
        }

        @Override
        public String normalize(String name) {
            return lowercase ? name.toLowerCase(Locale.ROOT).replace('_', '-').replace('.', '-') : name;
        }
    }
}
