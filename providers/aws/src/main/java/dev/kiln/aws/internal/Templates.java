package dev.kiln.aws.internal;

import dev.kiln.plan.ImageSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What diagnosis needs from a packer template, read loosely from its text (JSON or HCL): the
 * communicator and its port. A template that says nothing clear yields both SSH and WinRM ports.
 */
final class Templates {

    /** The communicator ports to check, with the name to show for each. */
    record Port(String communicator, int port) {
        @Override
        public String toString() {
            return communicator + " (tcp/" + port + ")";
        }
    }

    private static final Pattern COMMUNICATOR = Pattern.compile(
            "\"?communicator\"?\\s*[:=]\\s*\"(ssh|winrm|none)\"");
    private static final Pattern SSH_PORT = Pattern.compile("\"?ssh_port\"?\\s*[:=]\\s*\"?(\\d{1,5})\"?");
    private static final Pattern WINRM_PORT = Pattern.compile("\"?winrm_port\"?\\s*[:=]\\s*\"?(\\d{1,5})\"?");
    private static final Pattern WINRM_SSL = Pattern.compile("\"?winrm_use_ssl\"?\\s*[:=]\\s*\"?true\"?");

    private Templates() {
    }

    /** The ports packer would connect to; empty when the template uses no communicator. */
    static List<Port> communicatorPorts(ImageSpec image) {
        String text;
        try {
            text = Files.readString(image.template(), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return defaults();
        }
        Set<String> kinds = new LinkedHashSet<>();
        Matcher m = COMMUNICATOR.matcher(text);
        while (m.find()) {
            kinds.add(m.group(1).toLowerCase(Locale.ROOT));
        }
        if (kinds.size() != 1) {
            // None named (amazon-ebs defaults to ssh, but a template may be for Windows) or several builders.
            return defaults();
        }
        String kind = kinds.iterator().next();
        return switch (kind) {
            case "none" -> List.of();
            case "ssh" -> List.of(new Port("ssh", port(SSH_PORT, text, 22)));
            default -> List.of(new Port("winrm", port(WINRM_PORT, text, WINRM_SSL.matcher(text).find() ? 5986 : 5985)));
        };
    }

    private static List<Port> defaults() {
        return List.of(new Port("ssh", 22), new Port("winrm", 5985), new Port("winrm", 5986));
    }

    private static int port(Pattern p, String text, int fallback) {
        Matcher m = p.matcher(text);
        if (m.find()) {
            int n = Integer.parseInt(m.group(1));
            if (n > 0 && n < 65536) {
                return n;
            }
        }
        return fallback;
    }
}
