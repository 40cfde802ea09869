package dev.kiln.testkit.aws;

import dev.kiln.limits.LimitsTable;
import dev.kiln.testkit.ApiCall;
import dev.kiln.time.TimeSource;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The immutable settings an {@link Ec2Emulator.Builder} produced. */
record Ec2Config(String host, int port, long seed, TimeSource time, String defaultAccount,
        Map<String, String> accountsByAccessKey, String defaultRegion, List<String> regions, int defaultVcpuQuota,
        Map<String, Integer> vcpuQuotas, int amiQuota, LimitsTable limits, boolean throttling, Ec2Delays delays,
        int journalCapacity, Consumer<ApiCall> callListener) {

    String accountOf(String accessKeyId) {
        return accessKeyId == null ? defaultAccount : accountsByAccessKey.getOrDefault(accessKeyId, defaultAccount);
    }

    int vcpuQuota(String account, String region) {
        return vcpuQuotas.getOrDefault(account + "/" + region, defaultVcpuQuota);
    }
}
