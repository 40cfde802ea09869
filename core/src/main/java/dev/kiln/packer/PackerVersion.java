package dev.kiln.packer;

import dev.kiln.KilnException;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A packer (or plugin) version: {@code major.minor.patch} with an optional pre-release tag such as
 * {@code dev} or {@code rc1}. A pre-release orders before its release, so {@code 1.10.0-dev}
 * does not satisfy {@code >= 1.10.0}.
 *
 * @param major      major version
 * @param minor      minor version
 * @param patch      patch version
 * @param prerelease pre-release tag without the dash, or empty
 */
public record PackerVersion(int major, int minor, int patch, String prerelease) implements Comparable<PackerVersion> {

    private static final Pattern FORM = Pattern.compile("v?(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(?:-([0-9A-Za-z.-]+))?");

    public PackerVersion {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("version numbers cannot be negative: " + major + "." + minor + "." + patch);
        }
        prerelease = prerelease == null ? "" : prerelease;
    }

    public static PackerVersion of(int major, int minor, int patch) {
        return new PackerVersion(major, minor, patch, "");
    }

    /**
     * Reads {@code 1.6.6}, {@code v1.6.6}, {@code 1.8} (patch 0) or {@code 1.10.0-dev}.
     *
     * @throws KilnException naming the text when it is not a version
     */
    public static PackerVersion parse(String text) {
        Objects.requireNonNull(text, "text");
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new KilnException("'" + text + "' is not a version; expected MAJOR.MINOR.PATCH such as 1.6.6,"
                    + " optionally with a pre-release tag such as 1.10.0-dev");
        }
        return new PackerVersion(number(m.group(1)), number(m.group(2)), number(m.group(3)),
                m.group(4) == null ? "" : m.group(4));
    }

    public boolean isPrerelease() {
        return !prerelease.isEmpty();
    }

    /** This version without its pre-release tag. */
    public PackerVersion release() {
        return isPrerelease() ? of(major, minor, patch) : this;
    }

    @Override
    public int compareTo(PackerVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Integer.compare(patch, o.patch);
        }
        if (c == 0 && !prerelease.equals(o.prerelease)) {
            if (prerelease.isEmpty()) {
                return 1;
            }
            if (o.prerelease.isEmpty()) {
                return -1;
            }
            c = prerelease.compareTo(o.prerelease);
        }
        return c;
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + (prerelease.isEmpty() ? "" : "-" + prerelease);
    }

    private static int number(String digits) {
        if (digits == null) {
            return 0;
        }
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new KilnException("version number '" + digits + "' is too large");
        }
    }
}
