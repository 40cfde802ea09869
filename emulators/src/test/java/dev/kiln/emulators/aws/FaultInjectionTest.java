package dev.kiln.emulators.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.emulators.Fault;
import dev.kiln.emulators.Faults;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.KeyPairInfo;
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
    void anInjectedThrottleIsEc2sOwnButCountsAsInjected() {
        try (Ec2Emulator emulator = Ec2Emulator.builder().timeSource(time).start();
                Ec2Client ec2 = Sdk.ec2(emulator, "us-east-1")) {
            emulator.faults().inject(Faults.ANY_ACTION, Fault.throttleRate(1.0));

            assertThatThrownBy(ec2::describeRegions)
                    .isInstanceOfSatisfying(Ec2Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(503);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("RequestLimitExceeded");
                        assertThat(e.isThrottlingException()).isTrue();
                    });
            assertThat(emulator.counters().of("DescribeRegions").injectedFaults()).isEqualTo(1);
            assertThat(emulator.counters().of("DescribeRegions").throttled()).isZero();
        }
    }

    @Test
    void aResetClosesTheConnectionWithoutAnAnswer() {
        try (Ec2Emulator emulator = Ec2Emulator.builder().timeSource(time).start();
                Ec2Client ec2 = Sdk.ec2(emulator, "us-east-1")) {
            emulator.faults().inject("DescribeRegions", Fault.resetRate(1.0));

            assertThatThrownBy(ec2::describeRegions).isInstanceOf(SdkClientException.class)
                    .isNotInstanceOf(Ec2Exception.class);
            assertThat(emulator.calls()).last().satisfies(c -> {
                assertThat(c.action()).isEqualTo("DescribeRegions");
                assertThat(c.status()).isZero();
                assertThat(c.errorCode()).isEqualTo("ConnectionReset");
            });
            assertThat(emulator.counters().of("DescribeRegions").injectedFaults()).isEqualTo(1);
            assertThat(ec2.describeAvailabilityZones().availabilityZones()).isNotEmpty();
        }
    }

    @Test
    void resetsThrottlesAndErrorsShareOneSeededDraw() {
        List<String> first = effects(11L);
        assertThat(first).isEqualTo(effects(11L));
        assertThat(first).contains("RESET", "THROTTLE", "ERROR", "NONE");
    }

    private List<String> effects(long seed) {
        Faults faults = new Faults(time, seed);
        faults.inject("X", Fault.resetRate(0.2).withThrottleRate(0.3).withErrorRate(0.2));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            try {
                out.add(faults.apply("X").name());
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    @Test
    void aRestartOnTheSamePortKeepsTheResourcesAndRefusesWhileDown() {
        // Given a key pair made before the restart
        Ec2Emulator first = Ec2Emulator.builder().timeSource(time).start();
        int port = first.port();
        try (Ec2Client ec2 = Sdk.ec2(first, "eu-west-1")) {
            ec2.createKeyPair(r -> r.keyName("kept"));
            first.close();

            // While it is down the port refuses connections
            assertThatThrownBy(ec2::describeKeyPairs).isInstanceOf(SdkClientException.class);

            // When a new emulator starts from the old one's state
            try (Ec2Emulator second = Ec2Emulator.restart(first)) {
                // Then it answers on the same port, with the same key pair and fresh counters
                assertThat(second.port()).isEqualTo(port);
                assertThat(ec2.describeKeyPairs().keyPairs()).extracting(KeyPairInfo::keyName).containsExactly("kept");
                assertThat(second.counters().of("CreateKeyPair").calls()).isZero();
            }
        }
    }

    @Test
    void faultsRefuseNonsense() {
        assertThatThrownBy(() -> Fault.errorRate(1.5))
                .hasMessage("error rate must be between 0 and 1, got 1.5");
        assertThatThrownBy(() -> Fault.errorRate(0.6).withResetRate(0.6))
                .hasMessage("error, throttle and reset rates are shares of one draw and add up to at most 1, got 0.6"
                        + " + 0.0 + 0.6");
        assertThatThrownBy(() -> Fault.latency(Duration.ofSeconds(-1)))
                .hasMessage("fault durations cannot be negative, got PT-1S");
    }
}
