package dev.kiln.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** How providers are found and configured. */
final class ProviderOptions {

    @Option(names = "--provider-setting", paramLabel = "ID.KEY=VALUE",
            description = "A provider setting, e.g. aws.endpoint=http://127.0.0.1:8600 (repeatable). Over the"
                    + " environment's KILN_<ID>_<KEY> (e.g. KILN_AWS_ENDPOINT). Never secrets: providers read"
                    + " those from their usual places.")
    List<String> settings;

    @Option(names = "--simulate",
            description = "Run against the simulated cloud instead of the providers: Kiln's documented limits"
                    + " and quotas for aws, azure, gcp and vsphere; packer's null builds stand in for cloud builds.")
    boolean simulate;

    /** The flags' settings by provider id. */
    Map<String, Map<String, String>> byProvider() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        if (settings == null) {
            return out;
        }
        for (String s : settings) {
            int dot = s.indexOf('.');
            int eq = s.indexOf('=');
            if (dot <= 0 || eq < dot + 2) {
                throw new UsageException("--provider-setting '" + s + "' is not ID.KEY=VALUE, e.g."
                        + " aws.endpoint=http://127.0.0.1:8600");
            }
            out.computeIfAbsent(s.substring(0, dot), k -> new LinkedHashMap<>()).put(s.substring(dot + 1, eq),
                    s.substring(eq + 1));
        }
        return out;
    }
}
