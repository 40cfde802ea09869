package dev.kiln.packer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in text before it reaches a log, an event, a report or an exception message.
 * Every match becomes {@value #MASK}.
 *
 * <p>Two kinds of secret are masked. Values registered as secret (sensitive template variables,
 * environment values whose names look secret) are masked wherever they occur, longest first so a
 * secret that contains another is masked whole; they are also masked in the escaped forms packer
 * and JSON print them in. A value shorter than {@value #MIN_MASKED_ANYWHERE} characters is masked
 * only as a word of its own (not next to a letter or digit): masked inside other words, a secret
 * {@code p} would turn every "Unsupported" into a row of masks and hide nothing worth hiding.
 * Plans refuse such secrets for sensitive variables anyway (too short, a single word, or written
 * elsewhere in the plan or template); this rule keeps values taken from the environment readable.
 *
 * <p>Shapes that are secret whatever their value are masked too: AWS access key ids
 * ({@code AKIA...}, {@code ASIA...}) and secret keys, Azure client secrets, the values of
 * {@code password}/{@code secret}/{@code token}-like keys in {@code key=value}, {@code key: value}
 * and JSON form, {@code Authorization} headers and bearer tokens, credentials in URLs, and PEM
 * private keys. Only the value is masked, and a key counts only when the secret-sounding word ends
 * it or is followed by parts such as {@code _access_key}, {@code Value} or {@code Id}: an error code
 * such as {@code NoCredentialProviders:} names no secret, and the words after it stay.
 *
 * <p>Immutable and thread-safe. {@link #lineFilter()} masks a stream of lines, where a PEM key spans
 * several of them.
 */
public final class Redactor {

    /** What every secret is replaced by. */
    public static final String MASK = "[REDACTED]";

    /** Registered values at least this long are masked wherever they occur; shorter ones as whole words only. */
    public static final int MIN_MASKED_ANYWHERE = 8;

    private static final Redactor STANDARD = new Redactor(List.of());

    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|CREDENTIAL|PRIVATE_?KEY|API_?KEY|ACCESS_?KEY|SAS_?KEY"
                    + "|CONNECTION_?STRING|CLIENT_?CERT).*");
    private static final Set<String> NOT_SECRET_NAMES = Set.of("PWD", "OLDPWD");

    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----.*?-----END \\1PRIVATE KEY-----", Pattern.DOTALL);
    private static final Pattern PEM_BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----");
    private static final Pattern PEM_END = Pattern.compile("-----END ([A-Z0-9 ]*)PRIVATE KEY-----");

    // Without a scheme, only a credential-looking value (8 characters or more, a digit or a symbol of
    // base64 among them) is taken for one: "authorization: denied" is prose.
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "(?i)(\\bauthorization[\"']?\\s*[:=]\\s*[\"']?)(?:((?:bearer|basic|token|sharedkey|negotiate|digest)\\s+)"
                    + "[^\\s\"',]+|(?=[^\\s\"',]*[0-9+/=._~-])[^\\s\"',]{8,})");
    private static final Pattern BEARER = Pattern.compile("(?i)(\\bbearer\\s+)[A-Za-z0-9._~+/=-]{8,}");
    // Keys and URL schemes start only where a run of their characters starts, and a key's words
    // around its secret-sounding one are bounded: tried from every position of a long run, or
    // backtracking through one, they would cost time quadratic in the line's length.
    private static final Pattern URL_CREDENTIALS = Pattern.compile(
            "((?<![a-zA-Z0-9+.-])[a-zA-Z][a-zA-Z0-9+.-]*://[^/\\s:@]+:)[^@\\s/]+@");
    // The secret-sounding word ends the key, or is followed by separated parts (_access_key) or by
    // the few words that still make a secret of it (SecretAccessKey, clientSecretValue).
    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)(\\\\?[\"']?)(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{0,128}(?:password|passwd|passphrase|secret|token"
                    + "|api[_-]?key|private[_-]?key|credentials?|sas[_-]?key)"
                    + "(?:[_.-][A-Za-z0-9]{1,64}|access|key|value|data|string|text|hash|file|id|base64){0,8}+"
                    + "(?![A-Za-z0-9]))(\\\\?[\"']?)"
                    + "(\\s*[:=]\\s*)"
                    + "(\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|\\\\\"(?:[^\"\\\\]|\\\\[^\"])*\\\\\"|[^\\s,;&\"'}\\])]+)");
    private static final Pattern AWS_ACCESS_KEY_ID = Pattern.compile("\\b(?:AKIA|ASIA|AIDA|AROA|AIPA|ANPA|ANVA|AGPA)[A-Z0-9]{16}\\b");
    private static final Pattern AWS_SECRET_KEY = Pattern.compile("(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])");
    /** Words that {@link #KEY_VALUE}'s secret-sounding part cannot be without, lower-case. */
    private static final List<String> KEY_WORDS = List.of("pass", "secret", "token", "key", "credential");
    private static final List<String> AWS_KEY_ID_PREFIXES = List.of("AKIA", "ASIA", "AIDA", "AROA", "AIPA", "ANPA",
            "ANVA", "AGPA");
    private static final Pattern AZURE_CLIENT_SECRET = Pattern.compile(
            "(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])");

    private final List<String> secrets;
    private final Pattern literals;

    private Redactor(Collection<String> registered) {
        Set<String> all = new LinkedHashSet<>();
        for (String s : registered) {
            if (s != null && !s.isEmpty() && !s.isBlank()) {
                all.add(s);
            }
        }
        this.secrets = List.copyOf(all);
        Set<String> forms = new LinkedHashSet<>();
        for (String s : all) {
            forms.addAll(printedForms(s));
        }
        List<String> longestFirst = new ArrayList<>(forms);
        longestFirst.sort(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
        this.literals = longestFirst.isEmpty() ? null
                : Pattern.compile(String.join("|", longestFirst.stream().map(Redactor::literal).toList()));
    }

    /** Masks only the secret shapes; no value is registered. */
    public static Redactor standard() {
        return STANDARD;
    }

    public static Builder builder() {
        return new Builder(List.of());
    }

    /** A copy that also masks {@code values}. */
    public Redactor withSecrets(Collection<String> values) {
        return new Builder(secrets).secrets(values).build();
    }

    /** A copy that also masks the value of every variable in {@code env} whose name {@linkplain #looksSecret looks secret}. */
    public Redactor withSecretsFrom(Map<String, String> env) {
        return new Builder(secrets).secretsFrom(env).build();
    }

    /**
     * Whether an environment variable or key named {@code name} holds a secret by its name:
     * {@code AWS_SECRET_ACCESS_KEY}, {@code ARM_CLIENT_SECRET}, {@code VSPHERE_PASSWORD},
     * {@code GITHUB_TOKEN}, {@code GOOGLE_CREDENTIALS}...
     */
    public static boolean looksSecret(String name) {
        return name != null && !NOT_SECRET_NAMES.contains(name) && SECRET_NAME.matcher(name).matches();
    }

    /** How many values are registered (not the values: they are never shown). */
    public int registeredSecrets() {
        return secrets.size();
    }

    /** {@code text} with every secret masked; null stays null. */
    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        if (literals != null) {
            out = literals.matcher(out).replaceAll(Matcher.quoteReplacement(MASK));
        }
        if (out.contains("PRIVATE KEY-----")) {
            out = PEM_BLOCK.matcher(out).replaceAll(Matcher.quoteReplacement(MASK));
            Matcher begin = PEM_BEGIN.matcher(out);
            if (begin.find()) {
                // A key whose end is not in this text: everything from its start is key material.
                out = out.substring(0, begin.start()) + MASK;
            }
        }
        // Each pattern runs only on text holding a word it cannot match without: most of packer's
        // lines hold none. The masks put in on the way hold none of those words either, and cut
        // the text where they stand, so the words of the lowered text are still those of out.
        String lower = out.toLowerCase(Locale.ROOT);
        if (lower.contains("authorization")) {
            out = AUTHORIZATION.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1)
                    + (m.group(2) == null ? "" : m.group(2)) + MASK));
        }
        if (lower.contains("bearer")) {
            out = BEARER.matcher(out).replaceAll("$1" + Matcher.quoteReplacement(MASK));
        }
        if (out.contains("://")) {
            out = URL_CREDENTIALS.matcher(out).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "@");
        }
        if ((out.indexOf(':') >= 0 || out.indexOf('=') >= 0) && KEY_WORDS.stream().anyMatch(lower::contains)) {
            out = KEY_VALUE.matcher(out).replaceAll(Redactor::maskValue);
        }
        if (AWS_KEY_ID_PREFIXES.stream().anyMatch(out::contains)) {
            out = AWS_ACCESS_KEY_ID.matcher(out).replaceAll(Matcher.quoteReplacement(MASK));
        }
        if (longestBase64Run(out) >= 40) {
            out = AWS_SECRET_KEY.matcher(out).replaceAll(m -> looksRandom(m.group())
                    ? Matcher.quoteReplacement(MASK) : Matcher.quoteReplacement(m.group()));
        }
        if (out.contains("Q~")) {
            out = AZURE_CLIENT_SECRET.matcher(out).replaceAll(Matcher.quoteReplacement(MASK));
        }
        return out;
    }

    /**
     * A stateful filter for consecutive lines of one stream: like {@link #redact(String)}, and a PEM
     * private key spread over several lines is masked from its {@code BEGIN} line through its
     * {@code END} line. Not thread-safe; use one per stream.
     */
    public UnaryOperator<String> lineFilter() {
        return new UnaryOperator<>() {
            private boolean insideKey;

            @Override
            public String apply(String line) {
                if (line == null) {
                    return null;
                }
                if (insideKey) {
                    Matcher end = PEM_END.matcher(line);
                    if (!end.find()) {
                        return MASK;
                    }
                    insideKey = false;
                    return MASK + redact(line.substring(end.end()));
                }
                Matcher begin = PEM_BEGIN.matcher(line);
                if (begin.find() && !PEM_END.matcher(line).find(begin.end())) {
                    insideKey = true;
                }
                return redact(line);
            }
        };
    }

    @Override
    public String toString() {
        return "Redactor[" + secrets.size() + " registered secrets]";
    }

    private static String maskValue(java.util.regex.MatchResult m) {
        String value = m.group(5);
        String masked;
        if (value.startsWith("\\\"")) {
            masked = "\\\"" + MASK + "\\\"";
        } else if (value.startsWith("\"") || value.startsWith("'")) {
            masked = value.charAt(0) + MASK + value.charAt(0);
        } else {
            masked = MASK;
        }
        return Matcher.quoteReplacement(m.group(1) + m.group(2) + m.group(3) + m.group(4) + masked);
    }

    // 40 characters of base64 alphabet are an AWS secret key only when they look random: mixed case
    // and digits. That spares git SHAs and other hex digests, which are one case only.
    private static boolean looksRandom(String s) {
        boolean upper = false;
        boolean lower = false;
        boolean digit = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            upper |= c >= 'A' && c <= 'Z';
            lower |= c >= 'a' && c <= 'z';
            digit |= c >= '0' && c <= '9';
        }
        return upper && lower && digit;
    }

    /** A registered form as a pattern: anywhere, or as a word of its own when it is short. */
    /** The longest run of characters an AWS secret key is made of, {@code [A-Za-z0-9/+]}. */
    private static int longestBase64Run(String s) {
        int longest = 0;
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '/' || c == '+') {
                longest = Math.max(longest, ++run);
            } else {
                run = 0;
            }
        }
        return longest;
    }

    private static String literal(String form) {
        String quoted = Pattern.quote(form);
        return form.length() >= MIN_MASKED_ANYWHERE ? quoted : "(?<![A-Za-z0-9])" + quoted + "(?![A-Za-z0-9])";
    }

    // How a value can appear in packer's output: as is, JSON-escaped, with packer's machine-readable
    // comma and newline escapes, or both.
    private static Set<String> printedForms(String secret) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(secret);
        String json = jsonEscape(secret);
        forms.add(json);
        for (String f : List.copyOf(forms)) {
            forms.add(f.replace(",", "%!(PACKER_COMMA)").replace("\r", "").replace("\n", "\\n"));
        }
        // A multi-line secret (a key file) also leaks line by line.
        if (secret.contains("\n")) {
            for (String line : secret.split("\r?\n")) {
                if (line.trim().length() >= 8) {
                    forms.add(line.trim());
                }
            }
        }
        forms.removeIf(String::isBlank);
        return forms;
    }

    private static String jsonEscape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** Collects secret values; {@link #build()} copies them. */
    public static final class Builder {
        private final List<String> values;

        private Builder(List<String> initial) {
            this.values = new ArrayList<>(initial);
        }

        /** Masks {@code value} wherever it appears. Null and blank values are ignored. */
        public Builder secret(String value) {
            values.add(value);
            return this;
        }

        public Builder secrets(Collection<String> secretValues) {
            Objects.requireNonNull(secretValues, "secretValues");
            values.addAll(secretValues);
            return this;
        }

        /** Registers the value of every variable in {@code env} whose name {@linkplain #looksSecret looks secret}. */
        public Builder secretsFrom(Map<String, String> env) {
            Objects.requireNonNull(env, "env");
            env.forEach((name, value) -> {
                if (looksSecret(name)) {
                    values.add(value);
                }
            });
            return this;
        }

        public Redactor build() {
            return new Redactor(values);
        }
    }
}
