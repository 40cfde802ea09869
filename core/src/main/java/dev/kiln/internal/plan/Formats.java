package dev.kiln.internal.plan;

import java.util.regex.Pattern;

/**
 * What accounts and regions look like for the providers Kiln knows, so a typo is caught while
 * planning, not by an API error on the fiftieth build. A provider of your own gets the loosest
 * rule that still keeps target keys ({@code provider/account/region}) unambiguous.
 */
final class Formats {

    private Formats() {
    }

    /** A pattern and the words that describe it in a message. */
    record Format(Pattern pattern, int maxLength, String description) {
        boolean matches(String value) {
            return value.length() <= maxLength && pattern.matcher(value).matches();
        }
    }

    private static final Format AWS_ACCOUNT = new Format(Pattern.compile("\\d{12}"), 12,
            "an AWS account id: 12 digits, in quotes, e.g. \"123456789012\"");
    private static final Format AZURE_ACCOUNT = new Format(
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"), 36,
            "an Azure subscription id: a UUID such as 2f1c7b4e-8a53-4d6e-9b0f-1c2d3e4f5a6b");
    private static final Format GCP_ACCOUNT = new Format(Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]"), 30,
            "a GCP project id: 6-30 lowercase letters, digits and '-', starting with a letter and not ending"
                    + " with '-'");
    private static final Format VSPHERE_ACCOUNT = new Format(
            Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\\d{1,5})?"), 253,
            "a vCenter host name or address, e.g. vcenter.example.com or 10.0.0.5:443");
    private static final Format OTHER_ACCOUNT = new Format(Pattern.compile("[^/\\s]+"), 128,
            "an account name of at most 128 characters, without '/' or spaces");

    private static final Format AWS_REGION = new Format(Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d{1,2}"), 32,
            "an AWS region such as us-east-1");
    private static final Format AZURE_REGION = new Format(Pattern.compile("[a-z][a-z0-9]{2,39}"), 40,
            "an Azure region name such as westeurope: lowercase letters and digits, no spaces");
    private static final Format GCP_REGION = new Format(Pattern.compile("[a-z]+-[a-z]+\\d{1,2}"), 32,
            "a GCP region such as us-central1 (a region, not a zone)");
    private static final Format VSPHERE_REGION = new Format(Pattern.compile("[^/\\s]([^/]*[^/\\s])?"), 80,
            "a host or cluster name of at most 80 characters, without '/'");
    private static final Format OTHER_REGION = new Format(Pattern.compile("[^/\\s]+"), 128,
            "a region name of at most 128 characters, without '/' or spaces");

    static Format account(String provider) {
        return switch (provider) {
            case "aws" -> AWS_ACCOUNT;
            case "azure" -> AZURE_ACCOUNT;
            case "gcp" -> GCP_ACCOUNT;
            case "vsphere" -> VSPHERE_ACCOUNT;
            default -> OTHER_ACCOUNT;
        };
    }

    static Format region(String provider) {
        return switch (provider) {
            case "aws" -> AWS_REGION;
            case "azure" -> AZURE_REGION;
            case "gcp" -> GCP_REGION;
            case "vsphere" -> VSPHERE_REGION;
            default -> OTHER_REGION;
        };
    }
}
