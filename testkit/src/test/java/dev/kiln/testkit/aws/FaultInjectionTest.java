package dev.kiln.testkit.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.testkit.Fault;
import dev.kiln.testkit.Faults;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.servicequotas.ServiceQuotasClient;
import software.amazon.awssdk.services.servicequotas.model.ServiceQuotasException;

/** Injected errors, outages and latency, as the official SDK meets them. */
class FaultInjectionTest {

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void anErrorRateOfOneFailsEveryCallOfThatActionOnly() {
        try (Ec2Emulator emulator = Ec2Emulator.builder().timeSource(time).start();
                Ec2Client ec2 = Sdk.ec2(emulator, "us-east-1")) {
            emulator.faults().inject("DescribeImages", Fault.errorRate(1.0));

            assertThatThrownBy(() -> ec2.describeImages(r -> r.owners("self")))
                    .isInstanceOfSatisfying(Ec2Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(500);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InternalError");
                        assertThat(e.isThrottlingException()).isFalse();
                    });
            assertThat(ec2.describeRegions().regions()).isNotEmpty();
            assertThat(emulator.counters().of("DescribeImages").injectedFaults()).isEqualTo(1);
            assertThat(emulator.counters().of("DescribeImages").otherErrors()).isEqualTo(1);

            emulator.faults().clear("DescribeImages");
            assertThat(ec2.describeImages(r -> r.owners("self")).images()).isEmpty();
        }
    }

    @Test
    void aSeededErrorRateFailsTheSameCallsEveryRun() {
        List<Boolean> first = failures(7L);
        assertThat(first).isEqualTo(failures(7L));
        assertThat(first).contains(true, false);
    }

    private List<Boolean> failures(long seed) {
        List<Boolean> out = new ArrayList<>();
        try (Ec2Emulator emulator = Ec2Emulator.builder().timeSource(time).seed(seed).start();
                Ec2Client ec2 = Sdk.ec2(emulator, "us-east-1")) {
            emulator.faults().inject(Faults.ANY_ACTION, Fault.errorRate(0.5));
            for (int i = 0; i < 20; i++) {
                try {
                    ec2.describeRegions();
                    out.add(false);
                } catch (Ec2Exception e) {
                    out.add(true);
                }
            }
        }
        return out;
    }

    @Test
    void anOutageWindowAnswersServiceUnavailableWhileOpen() {
        try (Ec2Emulator emulator = Ec2Emulator.builder().timeSource(time).start();
                Ec2Client ec2 = Sdk.ec2(emulator, "us-east-1")) {
            emulator.faults().inject(Faults.ANY_ACTION, Fault.outage(Duration.ofSeconds(10), Duration.ofSeconds(5)));
            ec2.describeRegions();

            time.advance(Duration.ofSeconds(10));
            assertThatThrownBy(ec2::describeRegions)
                    .isInstanceOfSatisfying(Ec2Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(503);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ServiceUnavailable");
                    });

            time.advance(Duration.ofSeconds(5));
            assertThat(ec2.describeRegions().regions()).isNotEmpty();
        }
    }

    @Test
    void latencyIsWaitedOnTheEmulatorsTimeSource() {
        try (Ec2Emulator emulator = Ec2Emulator.builder().timeSource(time).start();
                Ec2Client ec2 = Sdk.ec2(emulator, "us-east-1")) {
            emulator.faults().inject("DescribeRegions", Fault.latency(Duration.ofSeconds(3)));
            Duration before = time.elapsed();
            ec2.describeRegions();
            assertThat(time.elapsed().minus(before)).isEqualTo(Duration.ofSeconds(3));
        }
    }

    @Test
    void serviceQuotasFailsWithItsOwnErrorShape() {
        try (Ec2Emulator emulator = Ec2Emulator.builder().timeSource(time).start();
                ServiceQuotasClient quotas = Sdk.quotas(emulator, "us-east-1")) {
            emulator.faults().inject("GetServiceQuota", Fault.errorRate(1.0));
            assertThatThrownBy(() -> quotas.getServiceQuota(r -> r.serviceCode("ec2")
                    .quotaCode(Ec2Emulator.VCPU_QUOTA_CODE)))
                    .isInstanceOfSatisfying(ServiceQuotasException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(500);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ServiceException");
                    });
        }
    }

    @Test
    void faultsRefuseNonsense() {
        assertThatThrownBy(() -> Fault.errorRate(1.5))
                .hasMessage("error rate must be between 0 and 1, got 1.5");
        assertThatThrownBy(() -> Fault.latency(Duration.ofSeconds(-1)))
                .hasMessage("fault durations cannot be negative, got PT-1S");
    }
}
