package dev.kiln.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.emulators.aws.Ec2Delays;
import dev.kiln.emulators.aws.Ec2Emulator;
import dev.kiln.job.FailureClass;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Target;
import dev.kiln.time.TimeSource;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;

/** Why packer could not reach its instance, as EC2 tells it: a deliberately closed security group and friends. */
class AwsDiagnosisTest {

    private static final String REGION = "us-west-2";
    private static final Target TARGET = Fixtures.target(REGION);
    private static final String BUILD_HOST = "203.0.113.7";

    @TempDir
    Path dir;

    private Ec2Emulator emulator;
    private Ec2Client ec2;
    private AwsProvider provider;
    private RecordingContext context;

    @BeforeEach
    void start() {
        emulator = Ec2Emulator.builder().delays(Ec2Delays.none()).start();
        ec2 = Fixtures.sdk(emulator, REGION);
        provider = Fixtures.provider(emulator).buildHostAddress(BUILD_HOST).build();
        context = new RecordingContext(TimeSource.system());
        provider.start(context);
    }

    @AfterEach
    void stop() {
        provider.close();
        ec2.close();
        emulator.close();
    }

    private BuildJob job(String communicatorJson, String buildId) {
        Path template = Fixtures.template(dir, buildId + ".json", "{\"type\": \"amazon-ebs\"" + communicatorJson + "}");
        return Fixtures.job(TARGET, template, "t3.micro", "img-" + buildId, buildId);
    }

    private String group(String name, String cidr, int from, int to) {
        String id = ec2.createSecurityGroup(r -> r.groupName(name).description(name)).groupId();
        if (cidr != null) {
            ec2.authorizeSecurityGroupIngress(r -> r.groupId(id).ipPermissions(IpPermission.builder().ipProtocol("tcp")
                    .fromPort(from).toPort(to).ipRanges(IpRange.builder().cidrIp(cidr).build()).build()));
        }
        return id;
    }

    private String running(String buildId, String... groups) {
        String instance = Fixtures.launch(ec2, emulator, REGION, buildId, groups);
        Fixtures.waitFor(ec2, instance, InstanceStateName.RUNNING);
        return instance;
    }

    @Test
    void a_closed_security_group_is_named_with_the_port_and_the_build_host() {
        // Given a running build instance whose only group admits nothing
        String closed = group("packer_closed", null, 0, 0);
        String instance = running("b-closed", closed);

        // When
        Optional<String> diagnosis = provider.diagnose(job(", \"communicator\": \"ssh\"", "b-closed"),
                FailureClass.COMMUNICATOR_TIMEOUT);

        // Then
        assertThat(diagnosis).hasValueSatisfying(d -> assertThat(d)
                .contains("instance " + instance + " (t3.micro) is running")
                .containsPattern("public address 3\\.\\d+\\.\\d+\\.\\d+")
                .contains("ssh (tcp/22) is NOT admitted from [" + BUILD_HOST + "] by security groups [" + closed + "]")
                .containsPattern("routes 0\\.0\\.0\\.0/0 to internet gateway igw-"));
        assertThat(context.acquired()).containsOnlyKeys("DescribeInstances", "DescribeSecurityGroups",
                "DescribeRouteTables");
    }

    @Test
    void a_rule_for_the_build_hosts_network_admits_it_and_one_for_another_does_not() {
        String office = group("office", "198.51.100.0/24", 22, 22);
        String builders = group("builders", "203.0.113.0/24", 20, 25);

        running("b-office", office);
        String withOffice = provider.diagnose(job(", \"communicator\": \"ssh\"", "b-office"),
                FailureClass.COMMUNICATOR_TIMEOUT).orElseThrow();
        running("b-builders", builders);
        String withBuilders = provider.diagnose(job(", \"communicator\": \"ssh\"", "b-builders"),
                FailureClass.COMMUNICATOR_TIMEOUT).orElseThrow();

        assertThat(withOffice).contains("ssh (tcp/22) is NOT admitted");
        assertThat(withBuilders).contains("ssh (tcp/22) is admitted from [" + BUILD_HOST + "] by " + builders
                + " (203.0.113.0/24)");
    }

    @Test
    void winrm_templates_are_checked_on_winrms_port_and_unknown_ones_on_every_communicator_port() {
        String winrm = group("winrm-open", "0.0.0.0/0", 5985, 5986);
        running("b-win", winrm);

        String known = provider.diagnose(job(", \"communicator\": \"winrm\"", "b-win"),
                FailureClass.COMMUNICATOR_TIMEOUT).orElseThrow();
        String unknown = provider.diagnose(job("", "b-win"), FailureClass.COMMUNICATOR_TIMEOUT).orElseThrow();

        assertThat(known).contains("winrm (tcp/5985) is admitted").doesNotContain("tcp/22");
        assertThat(unknown).contains("ssh (tcp/22) is NOT admitted").contains("winrm (tcp/5985) is admitted")
                .contains("winrm (tcp/5986) is admitted");
    }

    @Test
    void a_public_instance_in_a_subnet_without_an_internet_route_is_unreachable() {
        String open = group("ssh-open", "0.0.0.0/0", 22, 22);
        running("b-noroute", open);
        String table = ec2.describeRouteTables(r -> r.filters(Filter.builder().name("association.main").values("true")
                .build())).routeTables().get(0).routeTableId();
        ec2.deleteRoute(r -> r.routeTableId(table).destinationCidrBlock("0.0.0.0/0"));

        String diagnosis = provider.diagnose(job(", \"communicator\": \"ssh\"", "b-noroute"),
                FailureClass.COMMUNICATOR_TIMEOUT).orElseThrow();

        assertThat(diagnosis).contains("ssh (tcp/22) is admitted from [" + BUILD_HOST + "]")
                .contains("the VPC's main route table " + table + " has no 0.0.0.0/0 route to an internet gateway");
    }

    @Test
    void no_instance_and_other_failures_are_told_apart() {
        assertThat(provider.diagnose(job("", "b-never"), FailureClass.COMMUNICATOR_TIMEOUT))
                .hasValueSatisfying(d -> assertThat(d).startsWith("no instance tagged kiln:build-id=b-never in "
                        + TARGET.key()));
        assertThat(provider.diagnose(job("", "b-never"), FailureClass.PROVISIONER_FAILED)).isEmpty();
        assertThat(provider.diagnose(job(", \"communicator\": \"none\"", "b-none"), FailureClass.COMMUNICATOR_TIMEOUT))
                .isPresent();
    }
}
