package dev.kiln.aws.internal;

import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Target;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.model.GroupIdentifier;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.Route;
import software.amazon.awssdk.services.ec2.model.RouteTable;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.UserIdGroupPair;

/**
 * Explains a communicator timeout from EC2's side: the build instance (found by its build-id tag),
 * its state and addresses, whether its security groups admit the communicator port from the build
 * host, and whether its subnet routes the internet through an internet gateway.
 */
public final class Diagnosis {

    private final Api api;
    private final List<Cidr> configuredHosts;

    public Diagnosis(Api api, List<String> buildHostAddresses) {
        this.api = api;
        this.configuredHosts = buildHostAddresses.stream().map(Cidr::parse).toList();
    }

    public Optional<String> communicatorTimeout(BuildJob job) {
        Target target = job.target();
        Instance instance = buildInstance(target, job.buildId());
        if (instance == null) {
            return Optional.of("no instance tagged " + Tags.BUILD_ID + "=" + job.buildId() + " in " + target.key()
                    + ": the build instance never started, or is gone; tag it with run_tags to let Kiln find it");
        }
        List<String> lines = new ArrayList<>();
        String state = instance.state() == null ? "unknown" : instance.state().nameAsString();
        String publicIp = instance.publicIpAddress();
        lines.add("instance " + instance.instanceId() + " (" + instance.instanceTypeAsString() + ") is " + state
                + "; private address " + orNone(instance.privateIpAddress()) + ", public address "
                + orNone(publicIp) + ", subnet " + orNone(instance.subnetId()));
        List<Templates.Port> ports = Templates.communicatorPorts(job.image());
        List<Cidr> hosts = buildHosts();
        if (ports.isEmpty()) {
            lines.add("the template uses communicator \"none\": packer never connects to the instance");
        } else {
            groups(target, instance, ports, hosts, lines);
        }
        if (instance.subnetId() != null) {
            route(target, instance, publicIp, lines);
        }
        return Optional.of(String.join("\n", lines));
    }

    private Instance buildInstance(Target target, String buildId) {
        List<Instance> found = new ArrayList<>();
        for (String key : Tags.BUILD_ID_KEYS) {
            for (Reservation r : api.ec2(target, "DescribeInstances", ec2 -> ec2.describeInstances(q -> q
                    .filters(Tags.filter("tag:" + key, buildId)))).reservations()) {
                found.addAll(r.instances());
            }
            if (!found.isEmpty()) {
                break;
            }
        }
        // The latest launch is the attempt that just failed.
        return found.stream().max(Comparator.comparing(i -> i.launchTime() == null ? java.time.Instant.EPOCH
                : i.launchTime())).orElse(null);
    }

    private void groups(Target target, Instance instance, List<Templates.Port> ports, List<Cidr> hosts,
            List<String> lines) {
        List<String> ids = instance.securityGroups().stream().map(GroupIdentifier::groupId).toList();
        if (ids.isEmpty()) {
            lines.add("the instance has no security group: nothing admits " + ports);
            return;
        }
        List<SecurityGroup> groups = api.ec2(target, "DescribeSecurityGroups", ec2 -> ec2.describeSecurityGroups(r -> r
                .filters(Tags.filter("group-id", ids)))).securityGroups();
        for (String id : ids) {
            if (groups.stream().noneMatch(g -> id.equals(g.groupId()))) {
                lines.add("security group " + id + " no longer exists (packer deletes its temporary group when it"
                        + " gives up; run with -on-error=abort to keep it for inspection)");
            }
        }
        String from = hosts.isEmpty() ? "anywhere (0.0.0.0/0)" : hosts.stream().map(Cidr::toString).toList().toString();
        for (Templates.Port port : ports) {
            List<String> admitting = new ArrayList<>();
            List<String> groupOnly = new ArrayList<>();
            for (SecurityGroup g : groups) {
                for (IpPermission p : g.ipPermissions()) {
                    if (!coversPort(p, port.port())) {
                        continue;
                    }
                    for (IpRange range : p.ipRanges()) {
                        if (admits(range.cidrIp(), hosts)) {
                            admitting.add(g.groupId() + " (" + range.cidrIp() + ")");
                        }
                    }
                    for (UserIdGroupPair pair : p.userIdGroupPairs()) {
                        groupOnly.add(g.groupId() + " (members of " + pair.groupId() + ")");
                    }
                }
            }
            if (!admitting.isEmpty()) {
                lines.add(port + " is admitted from " + from + " by " + String.join(", ", admitting));
            } else {
                lines.add(port + " is NOT admitted from " + from + " by security groups " + ids
                        + (groupOnly.isEmpty() ? "" : "; only " + String.join(", ", groupOnly))
                        + ": add an ingress rule for tcp/" + port.port() + " from the build host, or let packer"
                        + " create its own group (temporary_security_group_source_cidrs)");
            }
        }
    }

    private static boolean coversPort(IpPermission p, int port) {
        String proto = p.ipProtocol();
        if ("-1".equals(proto) || "all".equalsIgnoreCase(proto)) {
            return true;
        }
        if (!"tcp".equalsIgnoreCase(proto) && !"6".equals(proto)) {
            return false;
        }
        Integer from = p.fromPort();
        Integer to = p.toPort();
        return from != null && to != null && from <= port && port <= to;
    }

    /** A rule admits the build host when it is open to everywhere or contains one of its addresses. */
    private static boolean admits(String cidr, List<Cidr> hosts) {
        if (cidr == null) {
            return false;
        }
        Cidr rule;
        try {
            rule = Cidr.parse(cidr);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (rule.bits() == 0) {
            return true;
        }
        return hosts.stream().anyMatch(rule::contains);
    }

    private void route(Target target, Instance instance, String publicIp, List<String> lines) {
        List<RouteTable> tables = api.ec2(target, "DescribeRouteTables", ec2 -> ec2.describeRouteTables(r -> r
                .filters(Tags.filter("association.subnet-id", instance.subnetId())))).routeTables();
        String which = "its subnet's route table";
        if (tables.isEmpty() && instance.vpcId() != null) {
            tables = api.ec2(target, "DescribeRouteTables", ec2 -> ec2.describeRouteTables(r -> r
                    .filters(Tags.filter("vpc-id", instance.vpcId()), Tags.filter("association.main", "true"))))
                    .routeTables();
            which = "the VPC's main route table";
        }
        if (tables.isEmpty()) {
            lines.add("no route table found for subnet " + instance.subnetId());
            return;
        }
        RouteTable table = tables.get(0);
        String gateway = null;
        for (Route r : table.routes()) {
            if ("0.0.0.0/0".equals(r.destinationCidrBlock()) && r.gatewayId() != null
                    && r.gatewayId().startsWith("igw-") && !"blackhole".equals(r.stateAsString())) {
                gateway = r.gatewayId();
            }
        }
        if (publicIp == null) {
            lines.add("the instance has no public address: packer must reach " + orNone(instance.privateIpAddress())
                    + " privately (VPN, peering, a bastion), or the template should set"
                    + " associate_public_ip_address");
        } else if (gateway != null) {
            lines.add(which + " " + table.routeTableId() + " routes 0.0.0.0/0 to internet gateway " + gateway);
        } else {
            lines.add(which + " " + table.routeTableId() + " has no 0.0.0.0/0 route to an internet gateway: the"
                    + " public address " + publicIp + " is unreachable from outside the VPC");
        }
    }

    /** The configured build-host addresses, or this host's non-loopback IPv4 addresses. */
    private List<Cidr> buildHosts() {
        if (!configuredHosts.isEmpty()) {
            return configuredHosts;
        }
        List<Cidr> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        out.add(Cidr.parse(a.getHostAddress()));
                    }
                }
            }
        } catch (SocketException e) {
            // no interfaces to read: only rules open to 0.0.0.0/0 count as admitting
        }
        return out;
    }

    private static String orNone(String s) {
        return s == null || s.isEmpty() ? "none" : s;
    }
}
