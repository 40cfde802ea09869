package dev.kiln.emulators.aws;

import dev.kiln.emulators.aws.Resources.Instance;
import dev.kiln.emulators.aws.Resources.InstanceState;
import dev.kiln.emulators.aws.Resources.InternetGateway;
import dev.kiln.emulators.aws.Resources.KeyPair;
import dev.kiln.emulators.aws.Resources.Resource;
import dev.kiln.emulators.aws.Resources.RouteTable;
import dev.kiln.emulators.aws.Resources.Rule;
import dev.kiln.emulators.aws.Resources.SecurityGroup;
import dev.kiln.emulators.aws.Resources.Subnet;
import dev.kiln.emulators.aws.Resources.Vpc;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Regions and zones, the default network, security groups, key pairs, tags and account facts. */
final class NetworkActions {

    private NetworkActions() {
    }

    static void register(Map<String, Ec2Actions.Action> actions) {
        actions.put("DescribeRegions", NetworkActions::describeRegions);
        actions.put("DescribeAvailabilityZones", NetworkActions::describeAvailabilityZones);
        actions.put("DescribeAccountAttributes", NetworkActions::describeAccountAttributes);
        actions.put("DescribeInstanceTypes", NetworkActions::describeInstanceTypes);
        actions.put("DescribeVpcs", NetworkActions::describeVpcs);
        actions.put("DescribeSubnets", NetworkActions::describeSubnets);
        actions.put("DescribeRouteTables", NetworkActions::describeRouteTables);
        actions.put("DeleteRoute", NetworkActions::deleteRoute);
        actions.put("DescribeInternetGateways", NetworkActions::describeInternetGateways);
        actions.put("DescribeSecurityGroups", NetworkActions::describeSecurityGroups);
        actions.put("CreateSecurityGroup", NetworkActions::createSecurityGroup);
        actions.put("DeleteSecurityGroup", NetworkActions::deleteSecurityGroup);
        actions.put("AuthorizeSecurityGroupIngress", NetworkActions::authorizeIngress);
        actions.put("RevokeSecurityGroupIngress", NetworkActions::revokeIngress);
        actions.put("DescribeKeyPairs", NetworkActions::describeKeyPairs);
        actions.put("DeleteKeyPair", NetworkActions::deleteKeyPair);
        actions.put("CreateTags", NetworkActions::createTags);
        actions.put("DeleteTags", NetworkActions::deleteTags);
        actions.put("DescribeTags", NetworkActions::describeTags);
    }

    // --- regions, zones, account, instance types

    private static String describeRegions(Ec2Call c) {
        QueryParams p = c.params();
        List<String> wanted = p.list("RegionName");
        List<String> known = c.world().config.regions();
        for (String w : wanted) {
            if (!known.contains(w)) {
                throw Ec2Error.invalidValue("Invalid region: " + w);
            }
        }
        Xml x = c.response().start("regionInfo");
        for (String region : known) {
            if (wanted.isEmpty() || wanted.contains(region)) {
                x.start("item").leaf("regionName", region).leaf("regionEndpoint", "ec2." + region + ".amazonaws.com")
                        .leaf("optInStatus", "opt-in-not-required").end();
            }
        }
        return x.end().finish();
    }

    private static String describeAvailabilityZones(Ec2Call c) {
        Ec2Region r = c.region();
        List<String> names = c.params().list("ZoneName");
        Xml x = c.response().start("availabilityZoneInfo");
        for (Subnet s : r.subnets.values()) {
            if (s.defaultForAz && (names.isEmpty() || names.contains(s.availabilityZone))) {
                x.start("item").leaf("zoneName", s.availabilityZone).leaf("zoneState", "available")
                        .leaf("regionName", r.region).leaf("zoneId", s.availabilityZoneId)
                        .leaf("zoneType", "availability-zone").leaf("optInStatus", "opt-in-not-required")
                        .leaf("groupName", r.region).leaf("networkBorderGroup", r.region).start("messageSet").end()
                        .end();
            }
        }
        return x.end().finish();
    }

    private static String describeAccountAttributes(Ec2Call c) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("supported-platforms", "VPC");
        attributes.put("default-vpc", c.region().defaultVpc.id);
        attributes.put("max-instances", "20");
        attributes.put("vpc-max-security-groups-per-interface", "5");
        attributes.put("max-elastic-ips", "5");
        attributes.put("vpc-max-elastic-ips", "5");
        List<String> wanted = c.params().list("AttributeName");
        Xml x = c.response().start("accountAttributeSet");
        attributes.forEach((name, value) -> {
            if (wanted.isEmpty() || wanted.contains(name)) {
                x.start("item").leaf("attributeName", name).start("attributeValueSet").start("item")
                        .leaf("attributeValue", value).end().end().end();
            }
        });
        return x.end().finish();
    }

    private static final Set<String> INSTANCE_TYPE_FILTERS = Set.of("instance-type", "vcpu-info.default-vcpus",
            "vcpu-info.default-cores", "current-generation", "processor-info.supported-architecture",
            "memory-info.size-in-mib", "burstable-performance-supported", "free-tier-eligible");

    private static String describeInstanceTypes(Ec2Call c) {
        QueryParams p = c.params();
        Filters filters = Filters.of(p).validate(INSTANCE_TYPE_FILTERS);
        List<String> wanted = p.list("InstanceType");
        List<String> unknown = wanted.stream().filter(t -> InstanceTypes.get(t) == null).toList();
        if (!unknown.isEmpty()) {
            throw Ec2Error.client("InvalidInstanceType", "The following supplied instance types do not exist: ["
                    + String.join(", ", unknown) + "]");
        }
        List<TypeView> matching = new ArrayList<>();
        for (InstanceTypes.Type t : InstanceTypes.all().values()) {
            TypeView v = new TypeView(t);
            if ((wanted.isEmpty() || wanted.contains(t.name())) && filters.matches(v)) {
                matching.add(v);
            }
        }
        Paging.Page<TypeView> page = Paging.page(matching, p, c.action(), 5);
        Xml x = c.response().start("instanceTypeSet");
        for (TypeView v : page.items()) {
            InstanceTypes.Type t = v.type;
            x.start("item").leaf("instanceType", t.name()).leaf("currentGeneration", !t.name().startsWith("t2."))
                    .leaf("freeTierEligible", v.freeTier()).start("supportedUsageClasses")
                    .leaf("item", "on-demand").leaf("item", "spot").end()
                    .start("supportedRootDeviceTypes").leaf("item", "ebs").end()
                    .start("supportedVirtualizationTypes").leaf("item", "hvm").end()
                    .leaf("bareMetal", false).leaf("hypervisor", t.name().startsWith("t2.") ? "xen" : "nitro")
                    .start("processorInfo").start("supportedArchitectures").leaf("item", "x86_64").end()
                    .leaf("manufacturer", t.manufacturer()).end()
                    .start("vCpuInfo").leaf("defaultVCpus", t.vcpus()).leaf("defaultCores", t.cores())
                    .leaf("defaultThreadsPerCore", t.threadsPerCore()).end()
                    .start("memoryInfo").leaf("sizeInMiB", t.memoryMib()).end()
                    .leaf("instanceStorageSupported", false)
                    .start("ebsInfo").leaf("ebsOptimizedSupport", t.name().startsWith("t2.") ? "unsupported"
                            : "default").leaf("encryptionSupport", "supported").leaf("nvmeSupport",
                            t.name().startsWith("t2.") ? "unsupported" : "required").end()
                    .leaf("burstablePerformanceSupported", t.burstable())
                    .leaf("hibernationSupported", true).leaf("dedicatedHostsSupported", !t.burstable())
                    .leaf("autoRecoverySupported", true).end();
        }
        return x.end().leaf("nextToken", page.nextToken()).finish();
    }

    /** An instance type seen as a filterable resource. */
    private static final class TypeView extends Resource {
        final InstanceTypes.Type type;

        TypeView(InstanceTypes.Type type) {
            super(type.name());
            this.type = type;
        }

        boolean freeTier() {
            return type.name().equals("t2.micro") || type.name().equals("t3.micro");
        }

        @Override
        String type() {
            return "instance-type";
        }

        @Override
        String state() {
            return "available";
        }

        @Override
        List<String> own(String n) {
            return switch (n) {
                case "instance-type" -> Resources.one(type.name());
                case "vcpu-info.default-vcpus" -> Resources.one(type.vcpus());
                case "vcpu-info.default-cores" -> Resources.one(type.cores());
                case "current-generation" -> Resources.one(!type.name().startsWith("t2."));
                case "processor-info.supported-architecture" -> List.of("x86_64");
                case "memory-info.size-in-mib" -> Resources.one(type.memoryMib());
                case "burstable-performance-supported" -> Resources.one(type.burstable());
                case "free-tier-eligible" -> Resources.one(freeTier());
                default -> null;
            };
        }
    }

    // --- the default network

    private static <T extends Resource> List<T> select(Ec2Call c, Map<String, T> all, String idParam, Set<String> known,
            Function<String, T> lookup) {
        QueryParams p = c.params();
        Filters filters = Filters.of(p).validate(known);
        List<String> ids = p.list(idParam);
        List<T> found = new ArrayList<>();
        if (ids.isEmpty()) {
            found.addAll(all.values());
        } else {
            for (String id : ids) {
                found.add(lookup.apply(id));
            }
        }
        return found.stream().filter(filters::matches).toList();
    }

    private static String describeVpcs(Ec2Call c) {
        Ec2Region r = c.region();
        List<Vpc> vpcs = select(c, r.vpcs, "VpcId", Vpc.FILTERS, r::vpc);
        Paging.Page<Vpc> page = Paging.page(vpcs, c.params(), c.action(), 5);
        Xml x = c.response().start("vpcSet");
        for (Vpc v : page.items()) {
            x.start("item").leaf("vpcId", v.id).leaf("ownerId", v.ownerId).leaf("state", "available")
                    .leaf("cidrBlock", v.cidr).start("cidrBlockAssociationSet").start("item")
                    .leaf("associationId", "vpc-cidr-assoc-" + v.id.substring(4)).leaf("cidrBlock", v.cidr)
                    .start("cidrBlockState").leaf("state", "associated").end().end().end()
                    .leaf("dhcpOptionsId", v.dhcpOptionsId).leaf("instanceTenancy", "default")
                    .leaf("isDefault", v.isDefault).tags(v.tags).end();
        }
        return x.end().leaf("nextToken", page.nextToken()).finish();
    }

    private static String describeSubnets(Ec2Call c) {
        Ec2Region r = c.region();
        List<Subnet> subnets = select(c, r.subnets, "SubnetId", Subnet.FILTERS, r::subnet);
        Paging.Page<Subnet> page = Paging.page(subnets, c.params(), c.action(), 5);
        Xml x = c.response().start("subnetSet");
        for (Subnet s : page.items()) {
            x.start("item").leaf("subnetId", s.id).leaf("subnetArn", "arn:aws:ec2:" + r.region + ":" + s.ownerId
                    + ":subnet/" + s.id).leaf("state", "available").leaf("ownerId", s.ownerId).leaf("vpcId", s.vpcId)
                    .leaf("cidrBlock", s.cidr).leaf("availableIpAddressCount", s.availableIps())
                    .leaf("availabilityZone", s.availabilityZone).leaf("availabilityZoneId", s.availabilityZoneId)
                    .leaf("defaultForAz", s.defaultForAz).leaf("mapPublicIpOnLaunch", s.defaultForAz)
                    .leaf("assignIpv6AddressOnCreation", false).start("ipv6CidrBlockAssociationSet").end()
                    .tags(s.tags).end();
        }
        return x.end().leaf("nextToken", page.nextToken()).finish();
    }

    private static String describeRouteTables(Ec2Call c) {
        Ec2Region r = c.region();
        List<RouteTable> tables = select(c, r.routeTables, "RouteTableId", RouteTable.FILTERS, id -> {
            RouteTable t = r.routeTables.get(id);
            if (t == null) {
                throw Ec2Error.client("InvalidRouteTableID.NotFound", "The routeTable ID '" + id + "' does not exist");
            }
            return t;
        });
        Paging.Page<RouteTable> page = Paging.page(tables, c.params(), c.action(), 5);
        Xml x = c.response().start("routeTableSet");
        for (RouteTable t : page.items()) {
            x.start("item").leaf("routeTableId", t.id).leaf("vpcId", t.vpcId).leaf("ownerId", t.ownerId);
            x.start("routeSet").start("item").leaf("destinationCidrBlock", t.vpcCidr).leaf("gatewayId", "local")
                    .leaf("state", "active").leaf("origin", "CreateRouteTable").end();
            if (t.gatewayId != null) {
                x.start("item").leaf("destinationCidrBlock", "0.0.0.0/0").leaf("gatewayId", t.gatewayId)
                        .leaf("state", "active").leaf("origin", "CreateRoute").end();
            }
            x.end().start("associationSet");
            if (t.mainAssociationId != null) {
                x.start("item").leaf("main", true).leaf("routeTableAssociationId", t.mainAssociationId)
                        .leaf("routeTableId", t.id).start("associationState").leaf("state", "associated").end().end();
            }
            x.end().start("propagatingVgwSet").end().tags(t.tags).end();
        }
        return x.end().leaf("nextToken", page.nextToken()).finish();
    }

    /** Removes a route: only the internet route exists to remove, so a test can cut a subnet off. */
    private static String deleteRoute(Ec2Call c) {
        Ec2Region r = c.region();
        QueryParams p = c.params();
        String id = p.require("RouteTableId");
        RouteTable t = r.routeTables.get(id);
        if (t == null) {
            throw Ec2Error.client("InvalidRouteTableID.NotFound", "The routeTable ID '" + id + "' does not exist");
        }
        String destination = p.require("DestinationCidrBlock");
        if (destination.equals(t.vpcCidr)) {
            throw Ec2Error.invalidValue("cannot remove local route " + destination + " in route table " + id);
        }
        if (!destination.equals("0.0.0.0/0") || t.gatewayId == null) {
            throw Ec2Error.client("InvalidRoute.NotFound", "no route with destination-cidr-block " + destination
                    + " in route table " + id);
        }
        t.gatewayId = null;
        return c.response().leaf("return", true).finish();
    }

    private static String describeInternetGateways(Ec2Call c) {
        Ec2Region r = c.region();
        List<InternetGateway> gateways = select(c, r.internetGateways, "InternetGatewayId",
                InternetGateway.FILTERS, id -> {
                    InternetGateway g = r.internetGateways.get(id);
                    if (g == null) {
                        throw Ec2Error.client("InvalidInternetGatewayID.NotFound", "The internetGateway ID '" + id
                                + "' does not exist");
                    }
                    return g;
                });
        Paging.Page<InternetGateway> page = Paging.page(gateways, c.params(), c.action(), 5);
        Xml x = c.response().start("internetGatewaySet");
        for (InternetGateway g : page.items()) {
            x.start("item").leaf("internetGatewayId", g.id).leaf("ownerId", g.ownerId).start("attachmentSet");
            if (g.vpcId != null) {
                x.start("item").leaf("vpcId", g.vpcId).leaf("state", "available").end();
            }
            x.end().tags(g.tags).end();
        }
        return x.end().leaf("nextToken", page.nextToken()).finish();
    }

    // --- security groups

    private static String describeSecurityGroups(Ec2Call c) {
        Ec2Region r = c.region();
        QueryParams p = c.params();
        Filters filters = Filters.of(p).validate(SecurityGroup.FILTERS);
        List<SecurityGroup> found = new ArrayList<>();
        List<String> ids = p.list("GroupId");
        List<String> names = p.list("GroupName");
        for (String id : ids) {
            found.add(r.securityGroup(id));
        }
        for (String name : names) {
            found.add(r.securityGroupNamed(name, r.defaultVpc.id));
        }
        if (ids.isEmpty() && names.isEmpty()) {
            found.addAll(r.securityGroups.values());
        }
        List<SecurityGroup> matching = found.stream().filter(filters::matches).toList();
        Paging.Page<SecurityGroup> page = Paging.page(matching, p, c.action(), 5);
        Xml x = c.response().start("securityGroupInfo");
        for (SecurityGroup g : page.items()) {
            x.start("item").leaf("ownerId", g.ownerId).leaf("groupId", g.id).leaf("groupName", g.name)
                    .leaf("groupDescription", g.description).leaf("vpcId", g.vpcId);
            permissions(x, "ipPermissions", g.ingress, g.ownerId);
            permissions(x, "ipPermissionsEgress", g.egress, g.ownerId);
            x.tags(g.tags).leaf("securityGroupArn", arn(r, g)).end();
        }
        return x.end().leaf("nextToken", page.nextToken()).finish();
    }

    private static String arn(Ec2Region r, SecurityGroup g) {
        return "arn:aws:ec2:" + r.region + ":" + g.ownerId + ":security-group/" + g.id;
    }

    private static void permissions(Xml x, String element, List<Rule> rules, String owner) {
        x.start(element);
        for (Rule rule : rules) {
            x.start("item").leaf("ipProtocol", rule.protocol());
            if (rule.fromPort() != null) {
                x.leaf("fromPort", rule.fromPort()).leaf("toPort", rule.toPort());
            }
            x.start("groups");
            if (rule.groupId() != null) {
                x.start("item").leaf("userId", owner).leaf("groupId", rule.groupId()).end();
            }
            x.end().start("ipRanges");
            if (rule.cidr() != null) {
                x.start("item").leaf("cidrIp", rule.cidr()).leaf("description", rule.description()).end();
            }
            x.end().start("ipv6Ranges").end().start("prefixListIds").end().end();
        }
        x.end();
    }

    private static String createSecurityGroup(Ec2Call c) {
        Ec2Region r = c.region();
        QueryParams p = c.params();
        String name = p.require("GroupName");
        String description = p.require("GroupDescription");
        String vpcId = p.get("VpcId", r.defaultVpc.id);
        r.vpc(vpcId);
        if (name.length() > 255 || name.startsWith("sg-")) {
            throw Ec2Error.invalidValue("Invalid value '" + name + "' for groupName. Group names may not be in the"
                    + " format sg-* and are at most 255 characters.");
        }
        for (SecurityGroup g : r.securityGroups.values()) {
            if (g.name.equals(name) && g.vpcId.equals(vpcId)) {
                throw Ec2Error.client("InvalidGroup.Duplicate", "The security group '" + name
                        + "' already exists for VPC '" + vpcId + "'");
            }
        }
        Map<String, Map<String, String>> tagSpecs = Tagging.specifications(p, Set.of("security-group"), c.action());
        SecurityGroup g = r.newSecurityGroup(name, description, vpcId);
        Tagging.apply(g, tagSpecs.get("security-group"));
        return c.response().leaf("return", true).leaf("groupId", g.id).tags(g.tags)
                .leaf("securityGroupArn", arn(r, g)).finish();
    }

    private static SecurityGroup groupOf(Ec2Region r, QueryParams p) {
        if (p.has("GroupId")) {
            return r.securityGroup(p.get("GroupId"));
        }
        if (p.has("GroupName")) {
            return r.securityGroupNamed(p.get("GroupName"), r.defaultVpc.id);
        }
        throw Ec2Error.missing("GroupId");
    }

    private static String deleteSecurityGroup(Ec2Call c) {
        Ec2Region r = c.region();
        SecurityGroup g = groupOf(r, c.params());
        if (g.isDefault) {
            throw Ec2Error.client("CannotDelete", "the specified group: \"" + g.id + "\" name: \"default\" cannot be"
                    + " deleted by a user");
        }
        for (Instance i : r.instances.values()) {
            if (i.state != InstanceState.TERMINATED && i.groupIds.contains(g.id)) {
                throw Ec2Error.client("DependencyViolation", "resource " + g.id + " has a dependent object");
            }
        }
        for (SecurityGroup other : r.securityGroups.values()) {
            if (other != g && other.ingress.stream().anyMatch(rule -> g.id.equals(rule.groupId()))) {
                throw Ec2Error.client("DependencyViolation", "resource " + g.id + " has a dependent object");
            }
        }
        r.securityGroups.remove(g.id);
        return c.response().leaf("return", true).leaf("groupId", g.id).finish();
    }

    /** The rules of an Authorize/Revoke call: the flat legacy form, or IpPermissions.N. */
    private static List<Rule> rules(Ec2Call c) {
        QueryParams p = c.params();
        Ec2World w = c.world();
        List<Rule> out = new ArrayList<>();
        if (p.has("IpProtocol")) {
            out.add(rule(w, p.get("IpProtocol"), p.integer("FromPort"), p.integer("ToPort"), p.get("CidrIp"), null,
                    null));
        }
        for (QueryParams perm : p.members("IpPermissions")) {
            String proto = perm.get("IpProtocol", "-1");
            Integer from = perm.integer("FromPort");
            Integer to = perm.integer("ToPort");
            List<QueryParams> ranges = perm.members("IpRanges");
            List<QueryParams> groups = perm.members("Groups");
            for (QueryParams range : ranges) {
                out.add(rule(w, proto, from, to, range.require("CidrIp"), null, range.get("Description")));
            }
            for (QueryParams group : groups) {
                out.add(rule(w, proto, from, to, null, group.require("GroupId"), group.get("Description")));
            }
            if (ranges.isEmpty() && groups.isEmpty()) {
                throw Ec2Error.missing("IpPermissions.N.IpRanges or IpPermissions.N.Groups");
            }
        }
        if (out.isEmpty()) {
            throw Ec2Error.missing("IpPermissions");
        }
        return out;
    }

    private static Rule rule(Ec2World w, String protocol, Integer from, Integer to, String cidr, String groupId,
            String description) {
        String proto = switch (protocol.toLowerCase(Locale.ROOT)) {
            case "6" -> "tcp";
            case "17" -> "udp";
            case "1" -> "icmp";
            case "all" -> "-1";
            default -> protocol.toLowerCase(Locale.ROOT);
        };
        if (!Set.of("tcp", "udp", "icmp", "-1").contains(proto)) {
            throw Ec2Error.invalidValue("Invalid value '" + protocol + "' for IP protocol. Unknown protocol.");
        }
        if ((proto.equals("tcp") || proto.equals("udp")) && (from == null || to == null)) {
            throw Ec2Error.client("InvalidParameterValue", "Invalid value 'null' for fromPort/toPort. You must"
                    + " specify both ports for protocol " + proto + ".");
        }
        if (cidr != null && !cidr.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}")) {
            throw Ec2Error.invalidValue("CIDR block " + cidr + " is malformed");
        }
        return new Rule(w.id("sgr"), proto, proto.equals("-1") ? null : from, proto.equals("-1") ? null : to, cidr,
                groupId, description);
    }

    private static String authorizeIngress(Ec2Call c) {
        Ec2Region r = c.region();
        SecurityGroup g = groupOf(r, c.params());
        List<Rule> rules = rules(c);
        for (Rule rule : rules) {
            if (rule.groupId() != null) {
                r.securityGroup(rule.groupId());
            }
            for (Rule existing : g.ingress) {
                if (existing.sameAs(rule)) {
                    throw Ec2Error.client("InvalidPermission.Duplicate", "the specified rule \"" + rule.describe()
                            + "\" already exists");
                }
            }
        }
        g.ingress.addAll(rules);
        Xml x = c.response().leaf("return", true).start("securityGroupRuleSet");
        for (Rule rule : rules) {
            x.start("item").leaf("securityGroupRuleId", rule.ruleId()).leaf("groupId", g.id)
                    .leaf("groupOwnerId", g.ownerId).leaf("isEgress", false).leaf("ipProtocol", rule.protocol())
                    .leaf("fromPort", rule.fromPort() == null ? -1 : rule.fromPort())
                    .leaf("toPort", rule.toPort() == null ? -1 : rule.toPort()).leaf("cidrIpv4", rule.cidr());
            if (rule.groupId() != null) {
                x.start("referencedGroupInfo").leaf("groupId", rule.groupId()).leaf("userId", g.ownerId).end();
            }
            x.leaf("description", rule.description()).end();
        }
        return x.end().finish();
    }

    private static String revokeIngress(Ec2Call c) {
        Ec2Region r = c.region();
        SecurityGroup g = groupOf(r, c.params());
        List<Rule> rules = rules(c);
        for (Rule rule : rules) {
            if (!g.ingress.removeIf(existing -> existing.sameAs(rule))) {
                throw Ec2Error.client("InvalidPermission.NotFound", "The specified rule does not exist in this"
                        + " security group.");
            }
        }
        return c.response().leaf("return", true).finish();
    }

    // --- key pairs

    static String createKeyPair(Ec2Call c, KeyMaterial.Generated key) {
        Ec2Region r = c.region();
        QueryParams p = c.params();
        String name = p.require("KeyName");
        if (name.length() > 255) {
            throw Ec2Error.invalidValue("Key pair names are at most 255 characters.");
        }
        if (r.keyPairNamed(name) != null) {
            throw Ec2Error.client("InvalidKeyPair.Duplicate", "The keypair '" + name + "' already exists.");
        }
        Map<String, Map<String, String>> tagSpecs = Tagging.specifications(p, Set.of("key-pair"), c.action());
        KeyPair k = new KeyPair(c.world().id("key"));
        k.name = name;
        k.fingerprint = key.fingerprint();
        k.keyType = key.type();
        k.createTime = c.world().now();
        Tagging.apply(k, tagSpecs.get("key-pair"));
        r.keyPairs.put(k.id, k);
        return c.response().leaf("keyName", k.name).leaf("keyFingerprint", k.fingerprint)
                .leaf("keyMaterial", key.privateKeyPem()).leaf("keyPairId", k.id).tags(k.tags).finish();
    }

    private static String describeKeyPairs(Ec2Call c) {
        Ec2Region r = c.region();
        QueryParams p = c.params();
        Filters filters = Filters.of(p).validate(KeyPair.FILTERS);
        List<KeyPair> found = new ArrayList<>();
        List<String> names = p.list("KeyName");
        List<String> ids = p.list("KeyPairId");
        for (String name : names) {
            KeyPair k = r.keyPairNamed(name);
            if (k == null) {
                throw Ec2Error.client("InvalidKeyPair.NotFound", "The key pair '" + name + "' does not exist");
            }
            found.add(k);
        }
        for (String id : ids) {
            KeyPair k = r.keyPairs.get(id);
            if (k == null) {
                throw Ec2Error.client("InvalidKeyPair.NotFound", "The key pair '" + id + "' does not exist");
            }
            found.add(k);
        }
        if (names.isEmpty() && ids.isEmpty()) {
            found.addAll(r.keyPairs.values());
        }
        Xml x = c.response().start("keySet");
        for (KeyPair k : found) {
            if (filters.matches(k)) {
                x.start("item").leaf("keyPairId", k.id).leaf("keyFingerprint", k.fingerprint).leaf("keyName", k.name)
                        .leaf("keyType", k.keyType).tags(k.tags).leaf("createTime", k.createTime).end();
            }
        }
        return x.end().finish();
    }

    private static String deleteKeyPair(Ec2Call c) {
        Ec2Region r = c.region();
        QueryParams p = c.params();
        KeyPair k;
        if (p.has("KeyPairId")) {
            k = r.keyPairs.get(p.get("KeyPairId"));
        } else {
            k = r.keyPairNamed(p.require("KeyName"));
        }
        // EC2 answers true for a key that does not exist: deleting is idempotent.
        if (k != null) {
            r.keyPairs.remove(k.id);
        }
        return c.response().leaf("return", true).leaf("keyPairId", k == null ? null : k.id).finish();
    }

    // --- tags

    private static String createTags(Ec2Call c) {
        Ec2Region r = c.region();
        QueryParams p = c.params();
        List<String> ids = p.list("ResourceId");
        if (ids.isEmpty()) {
            throw Ec2Error.missing("ResourceId");
        }
        Map<String, String> tags = p.tags("Tag");
        if (tags.isEmpty()) {
            throw Ec2Error.missing("Tag");
        }
        Tagging.validate(tags);
        List<Resource> resources = new ArrayList<>();
        for (String id : ids) {
            resources.add(r.taggable(id));
        }
        for (Resource res : resources) {
            Tagging.apply(res, tags);
        }
        return c.response().leaf("return", true).finish();
    }

    private static String deleteTags(Ec2Call c) {
        Ec2Region r = c.region();
        QueryParams p = c.params();
        List<String> ids = p.list("ResourceId");
        if (ids.isEmpty()) {
            throw Ec2Error.missing("ResourceId");
        }
        List<QueryParams> tags = p.members("Tag");
        List<Resource> resources = new ArrayList<>();
        for (String id : ids) {
            resources.add(r.taggable(id));
        }
        for (Resource res : resources) {
            if (tags.isEmpty()) {
                res.tags.clear();
                continue;
            }
            for (QueryParams t : tags) {
                String key = t.require("Key");
                String value = t.get("Value");
                if (value == null || value.equals(res.tags.get(key))) {
                    res.tags.remove(key);
                }
            }
        }
        return c.response().leaf("return", true).finish();
    }

    private static final Set<String> TAG_FILTERS = Set.of("resource-id", "resource-type", "key", "value");

    private static String describeTags(Ec2Call c) {
        Ec2Region r = c.region();
        QueryParams p = c.params();
        List<TagView> views = new ArrayList<>();
        for (Resource res : r.taggable()) {
            if (!r.isLive(res)) {
                continue;
            }
            res.tags.forEach((k, v) -> views.add(new TagView(res, k, v)));
        }
        Filters filters = Filters.of(p).validate(TAG_FILTERS);
        List<TagView> matching = views.stream().filter(filters::matches).toList();
        Paging.Page<TagView> page = Paging.page(matching, p, c.action(), 5);
        Xml x = c.response().start("tagSet");
        for (TagView t : page.items()) {
            x.start("item").leaf("resourceId", t.resource.id).leaf("resourceType", t.resource.type())
                    .leaf("key", t.key).leaf("value", t.value).end();
        }
        return x.end().leaf("nextToken", page.nextToken()).finish();
    }

    /** One tag of one resource, filterable as DescribeTags filters. */
    private static final class TagView extends Resource {
        final Resource resource;
        final String key;
        final String value;

        TagView(Resource resource, String key, String value) {
            super(resource.id);
            this.resource = resource;
            this.key = key;
            this.value = value;
        }

        @Override
        String type() {
            return "tag";
        }

        @Override
        String state() {
            return "available";
        }

        @Override
        List<String> own(String n) {
            return switch (n) {
                case "resource-id" -> List.of(resource.id);
                case "resource-type" -> List.of(resource.type());
                case "key" -> List.of(key);
                case "value" -> List.of(value);
                default -> null;
            };
        }
    }
}
