package dev.kiln.emulators.aws;

import dev.kiln.emulators.spi.CommonSettings;
import dev.kiln.emulators.spi.LimitSettings;
import dev.kiln.time.TimeSource;
import java.util.List;
import java.util.Map;

/** The immutable settings an {@link Ec2Emulator.Builder} produced. */
record Ec2Config(CommonSettings common, LimitSettings limits, String defaultAccount,
        Map<String, String> accountsByAccessKey, String defaultRegion, List<String> regions, int defaultVcpuQuota,
        Map<String, Integer> vcpuQuotas, int amiQuota, Ec2Delays delays) {

    TimeSource time() {
        return common.time();
    }

    long seed() {
        return common.seed();
    }

    /** The same settings on {@code port} and {@code tlsPort}. */
    Ec2Config withPorts(int port, int tlsPort) {
        return new Ec2Config(common.withPorts(port, tlsPort), limits, defaultAccount, accountsByAccessKey, defaultRegion, regions,
                defaultVcpuQuota, vcpuQuotas, amiQuota, delays);
    }

    String accountOf(String accessKeyId) {
        return accessKeyId == null ? defaultAccount : accountsByAccessKey.getOrDefault(accessKeyId, defaultAccount);
    }

    int vcpuQuota(String account, String region) {
        return vcpuQuotas.getOrDefault(account + "/" + region, defaultVcpuQuota);
    }
}
