package dev.kiln.emulators.aws;

import dev.kiln.emulators.aws.Resources.Attachment;
import dev.kiln.emulators.aws.Resources.Image;
import dev.kiln.emulators.aws.Resources.Instance;
import dev.kiln.emulators.aws.Resources.InstanceState;
import dev.kiln.emulators.aws.Resources.InternetGateway;
import dev.kiln.emulators.aws.Resources.KeyPair;
import dev.kiln.emulators.aws.Resources.Resource;
import dev.kiln.emulators.aws.Resources.RouteTable;
import dev.kiln.emulators.aws.Resources.Rule;
import dev.kiln.emulators.aws.Resources.SecurityGroup;
import dev.kiln.emulators.aws.Resources.Snapshot;
import dev.kiln.emulators.aws.Resources.Subnet;
import dev.kiln.emulators.aws.Resources.Volume;
import dev.kiln.emulators.aws.Resources.Vpc;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One account's resources in one region, with the default VPC EC2 gives every region (three
 * subnets, an internet gateway, the main route table, the default security group). Guarded by the
 * world's lock; resources move through their transitional states lazily, in {@link #tick()}.
 */
final class Ec2Region {

    private static final Map<String, String> DIRECTIONS = Map.of("east", "e", "west", "w", "north", "n", "south", "s",
            "central", "c", "northeast", "ne", "southeast", "se", "northwest", "nw", "southwest", "sw");

    final Ec2World world;
    final String account;
    final String region;
    final Map<String, Instance> instances = new LinkedHashMap<>();
    final Map<String, Image> images = new LinkedHashMap<>();
    final Map<String, Snapshot> snapshots = new LinkedHashMap<>();
    final Map<String, Volume> volumes = new LinkedHashMap<>();
    final Map<String, KeyPair> keyPairs = new LinkedHashMap<>();
    final Map<String, SecurityGroup> securityGroups = new LinkedHashMap<>();
    final Map<String, Vpc> vpcs = new LinkedHashMap<>();
    final Map<String, Subnet> subnets = new LinkedHashMap<>();
    final Map<String, InternetGateway> internetGateways = new LinkedHashMap<>();
    final Map<String, RouteTable> routeTables = new LinkedHashMap<>();
    final Vpc defaultVpc;

    Ec2Region(Ec2World world, String account, String region) {
        this.world = world;
        this.account = account;
        this.region = region;
        this.defaultVpc = createDefaultNetwork();
    }

    private Vpc createDefaultNetwork() {
        Vpc vpc = new Vpc(world.id("vpc"));
        vpc.cidr = "172.31.0.0/16";
        vpc.isDefault = true;
        vpc.ownerId = account;
        vpc.dhcpOptionsId = world.id("dopt");
        vpcs.put(vpc.id, vpc);
        String[] zones = {"a", "b", "c"};
        for (int i = 0; i < zones.length; i++) {
            Subnet s = new Subnet(world.id("subnet"));
            s.vpcId = vpc.id;
            s.cidr = "172.31." + (i * 16) + ".0/20";
            s.availabilityZone = region + zones[i];
            s.availabilityZoneId = zoneId(region, i + 1);
            s.defaultForAz = true;
            s.ownerId = account;
            subnets.put(s.id, s);
        }
        InternetGateway igw = new InternetGateway(world.id("igw"));
        igw.vpcId = vpc.id;
        igw.ownerId = account;
        internetGateways.put(igw.id, igw);
        RouteTable rtb = new RouteTable(world.id("rtb"));
        rtb.vpcId = vpc.id;
        rtb.ownerId = account;
        rtb.mainAssociationId = world.id("rtbassoc");
        rtb.gatewayId = igw.id;
        rtb.vpcCidr = vpc.cidr;
        routeTables.put(rtb.id, rtb);
        SecurityGroup sg = newSecurityGroup("default", "default VPC security group", vpc.id);
        sg.isDefault = true;
        sg.ingress.add(new Rule(world.id("sgr"), "-1", null, null, null, sg.id, null));
        return vpc;
    }

    SecurityGroup newSecurityGroup(String name, String description, String vpcId) {
        SecurityGroup sg = new SecurityGroup(world.id("sg"));
        sg.name = name;
        sg.description = description;
        sg.vpcId = vpcId;
        sg.ownerId = account;
        sg.egress.add(new Rule(world.id("sgr"), "-1", null, null, "0.0.0.0/0", null, null));
        securityGroups.put(sg.id, sg);
        return sg;
    }

    /** e.g. us-east-1, 1 → use1-az1. */
    static String zoneId(String region, int n) {
        String[] parts = region.split("-");
        StringBuilder b = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length - 1; i++) {
            b.append(DIRECTIONS.getOrDefault(parts[i], parts[i].substring(0, 1)));
        }
        return b.append(parts[parts.length - 1]).append("-az").append(n).toString();
    }

    /** Moves every resource whose transitional state has lasted its delay to the next state. */
    void tick() {
        long now = world.nanos();
        Ec2Delays d = world.config.delays();
        for (Iterator<Instance> it = instances.values().iterator(); it.hasNext();) {
            Instance i = it.next();
            advance(i, now, d);
            if (i.state == InstanceState.TERMINATED && now - i.stateSince >= d.terminatedVisible().toNanos()) {
                it.remove();
            }
        }
        long imageDelay = d.imagePending().toNanos();
        for (Image img : images.values()) {
            if (img.state.equals("pending") && now - img.createdNanos >= imageDelay) {
                img.state = "available";
            }
        }
        for (Snapshot s : snapshots.values()) {
            if (s.status.equals("pending") && now - s.createdNanos >= imageDelay) {
                s.status = "completed";
            }
        }
    }

    private void advance(Instance i, long now, Ec2Delays d) {
        while (true) {
            long delay;
            InstanceState next;
            switch (i.state) {
                case PENDING -> {
                    delay = d.instancePending().toNanos();
                    next = InstanceState.RUNNING;
                }
                case STOPPING -> {
                    delay = d.instanceStopping().toNanos();
                    next = InstanceState.STOPPED;
                }
                case SHUTTING_DOWN -> {
                    delay = d.instanceShuttingDown().toNanos();
                    next = InstanceState.TERMINATED;
                }
                default -> {
                    return;
                }
            }
            if (now - i.stateSince < delay) {
                return;
            }
            i.stateSince += delay;
            i.state = next;
            if (next == InstanceState.STOPPED) {
                i.stateReasonCode = "Client.UserInitiatedShutdown";
                i.stateReasonMessage = "Client.UserInitiatedShutdown: User initiated shutdown";
                i.publicIp = null;
            } else if (next == InstanceState.TERMINATED) {
                i.stateReasonCode = "Client.UserInitiatedShutdown";
                i.stateReasonMessage = "Client.UserInitiatedShutdown: User initiated shutdown";
                i.publicIp = null;
                releaseVolumes(i);
            } else if (next == InstanceState.RUNNING && i.publicIp == null && i.wantsPublicIp) {
                i.publicIp = world.publicIp();
            }
        }
    }

    /** A terminated instance's volumes: deleted when marked so, detached and available otherwise. */
    private void releaseVolumes(Instance i) {
        for (Attachment a : i.volumes) {
            Volume v = volumes.get(a.volumeId());
            if (v == null) {
                continue;
            }
            if (a.deleteOnTermination()) {
                volumes.remove(v.id);
            } else {
                v.instanceId = null;
                v.device = null;
                v.attachTime = null;
                v.status = "available";
            }
        }
        i.volumes.clear();
    }

    /** vCPUs of the standard on-demand family held by pending and running instances. */
    int vcpusInUse() {
        int sum = 0;
        for (Instance i : instances.values()) {
            if (i.state.holdsVcpus() && i.type.standard()) {
                sum += i.vcpus;
            }
        }
        return sum;
    }

    int imageCount() {
        return images.size();
    }

    // --- lookups that answer EC2's own NotFound errors

    Instance instance(String id) {
        checkId(id, "i-", "InvalidInstanceID.Malformed");
        Instance i = instances.get(id);
        if (i == null) {
            throw Ec2Error.client("InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
        }
        return i;
    }

    /** An image this account can see here: its own or a public one. */
    Image image(String id) {
        checkId(id, "ami-", "InvalidAMIID.Malformed");
        Image img = findImage(id);
        if (img == null) {
            throw Ec2Error.client("InvalidAMIID.NotFound", "The image id '[" + id + "]' does not exist");
        }
        return img;
    }

    Image findImage(String id) {
        Image own = images.get(id);
        if (own != null) {
            return own;
        }
        for (Image p : world.publicImages(region)) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        return null;
    }

    /** Images this account can see here, own first, then public ones. */
    List<Image> visibleImages() {
        List<Image> out = new ArrayList<>(images.values());
        out.addAll(world.publicImages(region));
        return out;
    }

    Snapshot snapshot(String id) {
        checkId(id, "snap-", "InvalidSnapshotID.Malformed");
        Snapshot s = snapshots.get(id);
        if (s == null) {
            throw Ec2Error.client("InvalidSnapshot.NotFound", "The snapshot '" + id + "' does not exist.");
        }
        return s;
    }

    Volume volume(String id) {
        checkId(id, "vol-", "InvalidVolumeID.Malformed");
        Volume v = volumes.get(id);
        if (v == null) {
            throw Ec2Error.client("InvalidVolume.NotFound", "The volume '" + id + "' does not exist.");
        }
        return v;
    }

    SecurityGroup securityGroup(String id) {
        SecurityGroup sg = securityGroups.get(id);
        if (sg == null) {
            throw Ec2Error.client("InvalidGroup.NotFound", "The security group '" + id + "' does not exist");
        }
        return sg;
    }

    /** A group by name, in the default VPC as EC2 looks names up. */
    SecurityGroup securityGroupNamed(String name, String vpcId) {
        for (SecurityGroup sg : securityGroups.values()) {
            if (sg.name.equals(name) && sg.vpcId.equals(vpcId)) {
                return sg;
            }
        }
        throw Ec2Error.client("InvalidGroup.NotFound", "The security group '" + name + "' does not exist in default VPC '"
                + vpcId + "'");
    }

    KeyPair keyPairNamed(String name) {
        for (KeyPair k : keyPairs.values()) {
            if (k.name.equals(name)) {
                return k;
            }
        }
        return null;
    }

    Subnet subnet(String id) {
        Subnet s = subnets.get(id);
        if (s == null) {
            throw Ec2Error.client("InvalidSubnetID.NotFound", "The subnet ID '" + id + "' does not exist");
        }
        return s;
    }

    Vpc vpc(String id) {
        Vpc v = vpcs.get(id);
        if (v == null) {
            throw Ec2Error.client("InvalidVpcID.NotFound", "The vpc ID '" + id + "' does not exist");
        }
        return v;
    }

    /** Any taggable resource by id, with the NotFound error EC2 gives its type. */
    Resource taggable(String id) {
        String prefix = id.contains("-") ? id.substring(0, id.indexOf('-')) : id;
        Resource r = switch (prefix) {
            case "i" -> instance(id);
            case "ami" -> {
                Image img = image(id);
                if (!images.containsKey(id)) {
                    throw Ec2Error.client("AuthFailure", "Not authorized for image:" + id);
                }
                yield img;
            }
            case "snap" -> snapshot(id);
            case "vol" -> volume(id);
            case "sg" -> securityGroup(id);
            case "key" -> {
                KeyPair k = keyPairs.get(id);
                if (k == null) {
                    throw Ec2Error.client("InvalidKeyPair.NotFound", "The key pair '" + id + "' does not exist");
                }
                yield k;
            }
            case "vpc" -> vpc(id);
            case "subnet" -> subnet(id);
            case "igw" -> {
                InternetGateway g = internetGateways.get(id);
                if (g == null) {
                    throw Ec2Error.client("InvalidInternetGatewayID.NotFound", "The internetGateway ID '" + id
                            + "' does not exist");
                }
                yield g;
            }
            case "rtb" -> {
                RouteTable t = routeTables.get(id);
                if (t == null) {
                    throw Ec2Error.client("InvalidRouteTableID.NotFound", "The routeTable ID '" + id
                            + "' does not exist");
                }
                yield t;
            }
            default -> throw Ec2Error.client("InvalidID", "The ID '" + id + "' is not valid");
        };
        return r;
    }

    /** Every resource of this account and region that can carry tags. */
    List<Resource> taggable() {
        List<Resource> out = new ArrayList<>();
        out.addAll(instances.values());
        out.addAll(images.values());
        out.addAll(snapshots.values());
        out.addAll(volumes.values());
        out.addAll(keyPairs.values());
        out.addAll(securityGroups.values());
        out.addAll(vpcs.values());
        out.addAll(subnets.values());
        out.addAll(internetGateways.values());
        out.addAll(routeTables.values());
        return out;
    }

    /** Whether a resource still exists in a way that costs or blocks: a terminated instance does not. */
    boolean isLive(Resource r) {
        return !(r instanceof Instance i) || i.state != InstanceState.TERMINATED;
    }

    private static void checkId(String id, String prefix, String malformedCode) {
        if (id == null || !id.startsWith(prefix) || id.length() <= prefix.length()) {
            throw Ec2Error.client(malformedCode, "Invalid id: \"" + id + "\"");
        }
    }
}
