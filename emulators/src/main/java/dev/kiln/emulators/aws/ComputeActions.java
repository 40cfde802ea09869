package dev.kiln.emulators.aws;

import dev.kiln.emulators.aws.Resources.Attachment;
import dev.kiln.emulators.aws.Resources.BlockDevice;
import dev.kiln.emulators.aws.Resources.Image;
import dev.kiln.emulators.aws.Resources.Instance;
import dev.kiln.emulators.aws.Resources.InstanceState;
import dev.kiln.emulators.aws.Resources.SecurityGroup;
import dev.kiln.emulators.aws.Resources.Snapshot;
import dev.kiln.emulators.aws.Resources.Subnet;
import dev.kiln.emulators.aws.Resources.Volume;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Instances, images, volumes and snapshots: what a packer EBS build moves through. */
final class ComputeActions {

    private static final Pattern AMI_NAME = Pattern.compile("[a-zA-Z0-9()\\[\\] ./\\-'@_]{3,128}");
    private static final DateTimeFormatter REASON_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'GMT'")
            .withZone(ZoneOffset.UTC);

    private ComputeActions() {
    }

    static void register(Map<String, Ec2Actions.Action> actions) {
        actions.put("DescribeInstances", ComputeActions::describeInstances);
        actions.put("RunInstances", ComputeActions::runInstances);
        actions.put("TerminateInstances", ComputeActions::terminateInstances);
        actions.put("StopInstances", ComputeActions::stopInstances);
        actions.put("StartInstances", ComputeActions::startInstances);
        actions.put("ModifyInstanceAttribute", ComputeActions::modifyInstanceAttribute);
        actions.put("DescribeImages", ComputeActions::describeImages);
        actions.put("CreateImage", ComputeActions::createImage);
        actions.put("CopyImage", ComputeActions::copyImage);
        actions.put("DeregisterImage", ComputeActions::deregisterImage);
        actions.put("ModifyImageAttribute", ComputeActions::modifyImageAttribute);
        actions.put("DescribeVolumes", ComputeActions::describeVolumes);
        actions.put("DeleteVolume", ComputeActions::deleteVolume);
        actions.put("DescribeSnapshots", ComputeActions::describeSnapshots);
        actions.put("DeleteSnapshot", ComputeActions::deleteSnapshot);
        actions.put("ModifySnapshotAttribute", ComputeActions::modifySnapshotAttribute);
    }

    // --- instances

    private static String describeInstances(Ec2Call c) {
        Ec2Region r = c.region();
        QueryParams p = c.params();
        Filters filters = Filters.of(p).validate(Instance.FILTERS);
        List<String> ids = p.list("InstanceId");
        List<Instance> found = new ArrayList<>();
        if (!ids.isEmpty()) {
            List<String> missing = new ArrayList<>();
            for (String id : ids) {
                Instance i = r.instances.get(id);
                if (i == null) {
                    missing.add(id);
                } else {
                    found.add(i);
                }
            }
            notFound(missing, "InvalidInstanceID.NotFound", "instance ID");
        } else {
            found.addAll(r.instances.values());
        }
        List<Instance> matching = found.stream().filter(filters::matches).toList();
        Paging.Page<Instance> page = Paging.page(matching, p, c.action(), 5);
        Xml x = c.response().start("reservationSet");
        String reservation = null;
        for (Instance i : page.items()) {
            if (!i.reservationId.equals(reservation)) {
                if (reservation != null) {
                    x.end().end();
                }
                reservation = i.reservationId;
                x.start("item").leaf("reservationId", i.reservationId).leaf("ownerId", i.ownerId)
                        .start("groupSet").end().start("instancesSet");
            }
            instanceItem(x, r, i);
        }
        if (reservation != null) {
            x.end().end();
        }
        x.end().leaf("nextToken", page.nextToken());
        return x.finish();
    }

    private static String runInstances(Ec2Call c) {
        Ec2Region r = c.region();
        Ec2World w = c.world();
        QueryParams p = c.params();
        String clientToken = p.get("ClientToken", "");
        if (!clientToken.isEmpty()) {
            // A retried launch with the same client token gets the first launch's answer, as EC2 guarantees.
            List<Instance> earlier = r.instances.values().stream().filter(i -> clientToken.equals(i.clientToken))
                    .toList();
            if (!earlier.isEmpty()) {
                return reservation(c, earlier);
            }
        }
        Image image = r.image(p.require("ImageId"));
        if (!image.state.equals("available")) {
            throw Ec2Error.client("InvalidAMIID.Unavailable", "AMI '" + image.id + "' is pending, and cannot be run");
        }
        String typeName = p.get("InstanceType", "t2.micro");
        InstanceTypes.Type type = InstanceTypes.get(typeName);
        if (type == null) {
            throw Ec2Error.invalidValue("Invalid value '" + typeName + "' for InstanceType.");
        }
        int min = p.integer("MinCount", 0);
        int max = p.integer("MaxCount", 0);
        if (!p.has("MinCount")) {
            throw Ec2Error.missing("MinCount");
        }
        if (!p.has("MaxCount")) {
            throw Ec2Error.missing("MaxCount");
        }
        if (min < 1 || max < min) {
            throw Ec2Error.invalidValue("Invalid value for MinCount/MaxCount: MinCount must be at least 1 and at most"
                    + " MaxCount, got " + min + "/" + max);
        }
        String keyName = p.get("KeyName");
        if (keyName != null && r.keyPairNamed(keyName) == null) {
            throw Ec2Error.client("InvalidKeyPair.NotFound", "The key pair '" + keyName + "' does not exist");
        }
        QueryParams nic = p.members("NetworkInterface").stream().findFirst().orElse(null);
        Subnet subnet = chooseSubnet(r, p, nic);
        List<SecurityGroup> groups = chooseGroups(r, p, nic, subnet);
        Map<String, Map<String, String>> tagSpecs = Tagging.specifications(p,
                Set.of("instance", "volume", "network-interface", "spot-instances-request", "elastic-gpu"), c.action());
        List<BlockDevice> devices = launchDevices(image, p);

        int vcpus = type.vcpus();
        if (p.has("CpuOptions.CoreCount")) {
            vcpus = p.integer("CpuOptions.CoreCount", type.cores()) * p.integer("CpuOptions.ThreadsPerCore",
                    type.threadsPerCore());
        }
        int count = max;
        if (type.standard()) {
            int quota = w.config.vcpuQuota(r.account, r.region);
            int free = quota - r.vcpusInUse();
            int fits = vcpus == 0 ? max : Math.max(0, free / vcpus);
            if (fits < min) {
                throw Ec2Error.quota("VcpuLimitExceeded", "You have requested more vCPU capacity than your current vCPU"
                        + " limit of " + quota + " allows for the instance bucket that the specified instance type"
                        + " belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an"
                        + " adjustment to this limit.");
            }
            count = Math.min(max, fits);
        }

        String reservationId = w.id("r");
        Instant now = w.now();
        long nanos = w.nanos();
        boolean publicIp = nic != null && nic.has("AssociatePublicIpAddress")
                ? nic.flag("AssociatePublicIpAddress") : subnet.defaultForAz;
        List<Instance> launched = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            Instance i = new Instance(w.id("i"));
            i.reservationId = reservationId;
            i.ownerId = r.account;
            i.imageId = image.id;
            i.type = type;
            i.vcpus = vcpus;
            i.keyName = keyName;
            i.subnetId = subnet.id;
            i.vpcId = subnet.vpcId;
            i.availabilityZone = subnet.availabilityZone;
            i.privateIp = subnet.allocateIp();
            i.rootDeviceName = image.rootDeviceName;
            i.architecture = image.architecture;
            i.clientToken = clientToken;
            i.launchIndex = n;
            i.launchTime = now;
            i.state = InstanceState.PENDING;
            i.stateSince = nanos;
            for (SecurityGroup g : groups) {
                i.groupIds.add(g.id);
                i.groupNames.put(g.id, g.name);
            }
            Tagging.apply(i, tagSpecs.get("instance"));
            for (BlockDevice d : devices) {
                Volume v = new Volume(w.id("vol"));
                v.size = d.size();
                v.volumeType = d.volumeType();
                v.snapshotId = d.snapshotId();
                v.availabilityZone = subnet.availabilityZone;
                v.status = "in-use";
                v.createTime = now;
                v.instanceId = i.id;
                v.device = d.deviceName();
                v.attachTime = now;
                v.deleteOnTermination = d.deleteOnTermination();
                Tagging.apply(v, tagSpecs.get("volume"));
                r.volumes.put(v.id, v);
                i.volumes.add(new Attachment(v.id, d.deviceName(), now, d.deleteOnTermination()));
            }
            i.wantsPublicIp = publicIp;
            r.instances.put(i.id, i);
            launched.add(i);
        }
        return reservation(c, launched);
    }

    private static String reservation(Ec2Call c, List<Instance> instances) {
        Xml x = c.response().leaf("reservationId", instances.get(0).reservationId).leaf("ownerId", c.account())
                .start("groupSet").end().start("instancesSet");
        for (Instance i : instances) {
            instanceItem(x, c.region(), i);
        }
        return x.end().finish();
    }

    private static Subnet chooseSubnet(Ec2Region r, QueryParams p, QueryParams nic) {
        String subnetId = nic != null && nic.has("SubnetId") ? nic.get("SubnetId") : p.get("SubnetId");
        if (subnetId != null && !subnetId.isEmpty()) {
            return r.subnet(subnetId);
        }
        String zone = p.get("Placement.AvailabilityZone");
        for (Subnet s : r.subnets.values()) {
            if (s.defaultForAz && (zone == null || zone.isEmpty() || s.availabilityZone.equals(zone))) {
                return s;
            }
        }
        if (zone != null && !zone.isEmpty()) {
            throw Ec2Error.invalidValue("Invalid availability zone: [" + zone + "]");
        }
        throw Ec2Error.client("VPCIdNotSpecified", "No default VPC for this user");
    }

    private static List<SecurityGroup> chooseGroups(Ec2Region r, QueryParams p, QueryParams nic, Subnet subnet) {
        Set<String> ids = new LinkedHashSet<>(p.list("SecurityGroupId"));
        if (nic != null) {
            ids.addAll(nic.list("SecurityGroupId"));
        }
        List<SecurityGroup> out = new ArrayList<>();
        for (String id : ids) {
            SecurityGroup g = r.securityGroup(id);
            if (!g.vpcId.equals(subnet.vpcId)) {
                throw Ec2Error.client("InvalidParameter", "Security group " + id + " and subnet " + subnet.id
                        + " belong to different networks.");
            }
            out.add(g);
        }
        for (String name : p.list("SecurityGroup")) {
            out.add(r.securityGroupNamed(name, subnet.vpcId));
        }
        if (out.isEmpty()) {
            out.add(r.securityGroupNamed("default", subnet.vpcId));
        }
        return out;
    }

    /** The image's block devices, changed by the request's BlockDeviceMapping.N. */
    private static List<BlockDevice> launchDevices(Image image, QueryParams p) {
        Map<String, BlockDevice> byDevice = new LinkedHashMap<>();
        for (BlockDevice b : image.blockDevices) {
            byDevice.put(b.deviceName(), b);
        }
        for (QueryParams m : p.members("BlockDeviceMapping")) {
            String device = m.get("DeviceName");
            if (device == null) {
                throw Ec2Error.missing("BlockDeviceMapping.N.DeviceName");
            }
            if (m.has("NoDevice")) {
                byDevice.remove(device);
                continue;
            }
            if (m.has("VirtualName") && !m.hasAny("Ebs")) {
                continue; // instance store: nothing to emulate
            }
            BlockDevice base = byDevice.get(device);
            String snapshotId = m.get("Ebs.SnapshotId", base == null ? null : base.snapshotId());
            int baseSize = base == null ? 0 : base.size();
            Integer size = m.integer("Ebs.VolumeSize");
            if (size == null) {
                if (base == null && snapshotId == null) {
                    throw Ec2Error.client("InvalidBlockDeviceMapping", "The device '" + device + "' needs a volume"
                            + " size or a snapshot");
                }
                size = baseSize == 0 ? 8 : baseSize;
            }
            if (size < baseSize) {
                throw Ec2Error.client("InvalidBlockDeviceMapping", "Volume of size " + size
                        + "GB is smaller than snapshot '" + snapshotId + "', expect size >= " + baseSize + "GB");
            }
            String volumeType = m.get("Ebs.VolumeType", base == null ? "gp2" : base.volumeType());
            Boolean dot = m.bool("Ebs.DeleteOnTermination");
            boolean delete = dot != null ? dot : base == null || base.deleteOnTermination();
            byDevice.put(device, new BlockDevice(device, snapshotId, size, volumeType, delete));
        }
        return List.copyOf(byDevice.values());
    }

    private static String terminateInstances(Ec2Call c) {
        return changeState(c, "TerminateInstances");
    }

    private static String stopInstances(Ec2Call c) {
        return changeState(c, "StopInstances");
    }

    private static String startInstances(Ec2Call c) {
        return changeState(c, "StartInstances");
    }

    private static String changeState(Ec2Call c, String action) {
        Ec2Region r = c.region();
        List<String> ids = c.params().list("InstanceId");
        if (ids.isEmpty()) {
            throw Ec2Error.missing("InstanceId");
        }
        List<Instance> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            Instance i = r.instances.get(id);
            if (i == null) {
                if (!id.startsWith("i-")) {
                    throw Ec2Error.client("InvalidInstanceID.Malformed", "Invalid id: \"" + id + "\"");
                }
                missing.add(id);
            } else {
                found.add(i);
            }
        }
        notFound(missing, "InvalidInstanceID.NotFound", "instance ID");
        long nanos = c.world().nanos();
        String reason = "User initiated (" + REASON_TIME.format(c.world().now()) + ")";
        if (action.equals("StartInstances")) {
            checkStartQuota(c, found);
        }
        Xml x = c.response().start("instancesSet");
        for (Instance i : found) {
            InstanceState before = i.state;
            InstanceState after = switch (action) {
                case "TerminateInstances" -> switch (before) {
                    case TERMINATED, SHUTTING_DOWN -> before;
                    default -> InstanceState.SHUTTING_DOWN;
                };
                case "StopInstances" -> switch (before) {
                    case RUNNING -> InstanceState.STOPPING;
                    case STOPPING, STOPPED -> before;
                    default -> throw Ec2Error.client("IncorrectInstanceState", "This instance '" + i.id
                            + "' is not in a state from which it can be stopped.");
                };
                default -> switch (before) {
                    case STOPPED -> InstanceState.PENDING;
                    case PENDING, RUNNING -> before;
                    default -> throw Ec2Error.client("IncorrectInstanceState", "The instance '" + i.id
                            + "' is not in a state from which it can be started.");
                };
            };
            if (after != before) {
                i.state = after;
                i.stateSince = nanos;
                i.transitionReason = after == InstanceState.PENDING ? "" : reason;
                if (after == InstanceState.PENDING) {
                    i.stateReasonCode = null;
                    i.stateReasonMessage = null;
                }
            }
            x.start("item").leaf("instanceId", i.id);
            x.start("currentState").leaf("code", after.code).leaf("name", after.label).end();
            x.start("previousState").leaf("code", before.code).leaf("name", before.label).end();
            x.end();
        }
        return x.end().finish();
    }

    private static void checkStartQuota(Ec2Call c, List<Instance> starting) {
        int needed = 0;
        for (Instance i : starting) {
            if (i.state == InstanceState.STOPPED && i.type.standard()) {
                needed += i.vcpus;
            }
        }
        int quota = c.world().config.vcpuQuota(c.account(), c.regionName());
        if (needed > 0 && c.region().vcpusInUse() + needed > quota) {
            throw Ec2Error.quota("VcpuLimitExceeded", "You have requested more vCPU capacity than your current vCPU"
                    + " limit of " + quota + " allows for the instance bucket that the specified instance type"
                    + " belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an"
                    + " adjustment to this limit.");
        }
    }

    private static String modifyInstanceAttribute(Ec2Call c) {
        Instance i = c.region().instance(c.params().require("InstanceId"));
        QueryParams p = c.params();
        if (p.has("InstanceType.Value")) {
            InstanceTypes.Type t = InstanceTypes.get(p.get("InstanceType.Value"));
            if (t == null) {
                throw Ec2Error.invalidValue("Invalid value '" + p.get("InstanceType.Value") + "' for InstanceType.");
            }
            if (i.state != InstanceState.STOPPED) {
                throw Ec2Error.client("IncorrectInstanceState", "The instance '" + i.id + "' is not in the 'stopped'"
                        + " state.");
            }
            i.type = t;
            i.vcpus = t.vcpus();
        }
        // ENA, SR-IOV, source/dest check and the other attributes are accepted and not modelled.
        return c.response().leaf("return", true).finish();
    }

    static void instanceItem(Xml x, Ec2Region r, Instance i) {
        boolean gone = i.state == InstanceState.TERMINATED;
        x.start("item").leaf("instanceId", i.id).leaf("imageId", i.imageId);
        x.start("instanceState").leaf("code", i.state.code).leaf("name", i.state.label).end();
        x.leaf("privateDnsName", gone ? "" : privateDns(r.region, i.privateIp));
        x.leaf("dnsName", i.publicIp == null ? "" : publicDns(r.region, i.publicIp));
        x.leaf("reason", i.transitionReason);
        x.leaf("keyName", i.keyName);
        x.leaf("amiLaunchIndex", i.launchIndex);
        x.start("productCodes").end();
        x.leaf("instanceType", i.type.name());
        x.leaf("launchTime", i.launchTime);
        x.start("placement").leaf("availabilityZone", i.availabilityZone).leaf("groupName", "")
                .leaf("tenancy", "default").end();
        x.start("monitoring").leaf("state", "disabled").end();
        x.leaf("subnetId", i.subnetId).leaf("vpcId", i.vpcId);
        if (!gone) {
            x.leaf("privateIpAddress", i.privateIp);
        }
        x.leaf("ipAddress", i.publicIp);
        x.leaf("sourceDestCheck", true);
        x.start("groupSet");
        i.groupNames.forEach((id, name) -> x.start("item").leaf("groupId", id).leaf("groupName", name).end());
        x.end();
        if (i.stateReasonCode != null) {
            x.start("stateReason").leaf("code", i.stateReasonCode).leaf("message", i.stateReasonMessage).end();
        }
        x.leaf("architecture", i.architecture);
        x.leaf("rootDeviceType", "ebs").leaf("rootDeviceName", i.rootDeviceName);
        x.start("blockDeviceMapping");
        for (Attachment a : i.volumes) {
            x.start("item").leaf("deviceName", a.device()).start("ebs").leaf("volumeId", a.volumeId())
                    .leaf("status", "attached").leaf("attachTime", a.attachTime())
                    .leaf("deleteOnTermination", a.deleteOnTermination()).end().end();
        }
        x.end();
        x.leaf("virtualizationType", "hvm");
        x.leaf("clientToken", i.clientToken);
        x.tags(i.tags);
        x.leaf("hypervisor", "xen");
        x.start("networkInterfaceSet");
        if (!gone) {
            x.start("item").leaf("networkInterfaceId", "eni-" + i.id.substring(2)).leaf("subnetId", i.subnetId)
                    .leaf("vpcId", i.vpcId).leaf("ownerId", i.ownerId).leaf("status", "in-use")
                    .leaf("privateIpAddress", i.privateIp).leaf("privateDnsName", privateDns(r.region, i.privateIp))
                    .leaf("sourceDestCheck", true);
            x.start("groupSet");
            i.groupNames.forEach((id, name) -> x.start("item").leaf("groupId", id).leaf("groupName", name).end());
            x.end();
            x.start("attachment").leaf("attachmentId", "eni-attach-" + i.id.substring(2)).leaf("deviceIndex", 0)
                    .leaf("status", "attached").leaf("attachTime", i.launchTime).leaf("deleteOnTermination", true)
                    .end();
            if (i.publicIp != null) {
                x.start("association").leaf("publicIp", i.publicIp).leaf("publicDnsName", publicDns(r.region,
                        i.publicIp)).leaf("ipOwnerId", "amazon").end();
            }
            x.end();
        }
        x.end();
        x.leaf("ebsOptimized", false).leaf("enaSupport", true);
        x.start("cpuOptions").leaf("coreCount", Math.max(1, i.vcpus / i.type.threadsPerCore()))
                .leaf("threadsPerCore", i.type.threadsPerCore()).end();
        x.start("metadataOptions").leaf("state", "applied").leaf("httpTokens", "optional")
                .leaf("httpPutResponseHopLimit", 1).leaf("httpEndpoint", "enabled").end();
        x.leaf("platformDetails", "Linux/UNIX").leaf("usageOperation", "RunInstances");
        x.end();
    }

    private static String privateDns(String region, String ip) {
        String host = "ip-" + ip.replace('.', '-');
        return region.equals("us-east-1") ? host + ".ec2.internal" : host + "." + region + ".compute.internal";
    }

    private static String publicDns(String region, String ip) {
        String host = "ec2-" + ip.replace('.', '-');
        return region.equals("us-east-1") ? host + ".compute-1.amazonaws.com"
                : host + "." + region + ".compute.amazonaws.com";
    }

    // --- images

    private static String describeImages(Ec2Call c) {
        Ec2Region r = c.region();
        QueryParams p = c.params();
        Filters filters = Filters.of(p).validate(Image.FILTERS);
        List<String> ids = p.list("ImageId");
        List<String> owners = p.list("Owner");
        List<Image> candidates = new ArrayList<>();
        if (!ids.isEmpty()) {
            List<String> missing = new ArrayList<>();
            for (String id : ids) {
                Image img = id.startsWith("ami-") ? r.findImage(id) : null;
                if (img == null) {
                    if (!id.startsWith("ami-")) {
                        throw Ec2Error.client("InvalidAMIID.Malformed", "Invalid id: \"" + id + "\" (expecting"
                                + " \"ami-...\")");
                    }
                    missing.add(id);
                } else {
                    candidates.add(img);
                }
            }
            if (!missing.isEmpty()) {
                throw Ec2Error.client("InvalidAMIID.NotFound", "The image id" + (missing.size() > 1 ? "s" : "")
                        + " '[" + Ec2Call.idList(missing) + "]' do" + (missing.size() > 1 ? "" : "es") + " not exist");
            }
        } else {
            candidates.addAll(r.visibleImages());
        }
        List<Image> matching = new ArrayList<>();
        for (Image img : candidates) {
            if (ownedBy(img, owners, r.account) && filters.matches(img)) {
                matching.add(img);
            }
        }
        Paging.Page<Image> page = Paging.page(matching, p, c.action(), 1);
        Xml x = c.response().start("imagesSet");
        for (Image img : page.items()) {
            imageItem(x, img);
        }
        return x.end().leaf("nextToken", page.nextToken()).finish();
    }

    private static boolean ownedBy(Image img, List<String> owners, String account) {
        if (owners.isEmpty()) {
            return true;
        }
        for (String o : owners) {
            boolean match = switch (o) {
                case "self" -> img.ownerId.equals(account);
                case "amazon", "aws-marketplace", "aws-backup-vault" -> o.equals(img.ownerAlias);
                default -> o.equals(img.ownerId);
            };
            if (match) {
                return true;
            }
        }
        return false;
    }

    private static void imageItem(Xml x, Image img) {
        x.start("item").leaf("imageId", img.id).leaf("imageLocation", (img.ownerAlias != null ? img.ownerAlias
                : img.ownerId) + "/" + img.name).leaf("imageState", img.state).leaf("imageOwnerId", img.ownerId)
                .leaf("creationDate", img.creationDate).leaf("isPublic", img.isPublic)
                .leaf("architecture", img.architecture).leaf("imageType", "machine");
        if (img.sourceInstanceId != null) {
            x.leaf("sourceInstanceId", img.sourceInstanceId);
        }
        x.leaf("imageOwnerAlias", img.ownerAlias).leaf("name", img.name).leaf("description", img.description)
                .leaf("rootDeviceType", "ebs").leaf("rootDeviceName", img.rootDeviceName);
        x.start("blockDeviceMapping");
        for (BlockDevice b : img.blockDevices) {
            x.start("item").leaf("deviceName", b.deviceName()).start("ebs").leaf("snapshotId", b.snapshotId())
                    .leaf("volumeSize", b.size()).leaf("deleteOnTermination", b.deleteOnTermination())
                    .leaf("volumeType", b.volumeType()).leaf("encrypted", false).end().end();
        }
        x.end();
        x.leaf("virtualizationType", "hvm").tags(img.tags).leaf("hypervisor", "xen").leaf("enaSupport", true)
                .leaf("sriovNetSupport", "simple").leaf("platformDetails", img.platformDetails)
                .leaf("usageOperation", "RunInstances");
        if (img.state.equals("failed")) {
            x.start("stateReason").leaf("code", "Server.InternalError").leaf("message", "Image creation failed").end();
        }
        x.end();
    }

    private static void checkNewImage(Ec2Call c, String name) {
        if (!AMI_NAME.matcher(name).matches()) {
            throw Ec2Error.client("InvalidAMIName.Malformed", "AMI names must be between 3 and 128 characters long, and"
                    + " may contain letters, numbers, '(', ')', '.', '-', '/' and '_'");
        }
        Ec2Region r = c.region();
        for (Image img : r.images.values()) {
            if (img.name.equals(name)) {
                throw Ec2Error.client("InvalidAMIName.Duplicate", "AMI name " + name + " is already in use by AMI "
                        + img.id);
            }
        }
        int quota = c.world().config.amiQuota();
        if (r.imageCount() >= quota) {
            throw Ec2Error.quota("ResourceLimitExceeded", "You have reached your quota of " + quota
                    + " AMIs for this Region.");
        }
    }

    private static String createImage(Ec2Call c) {
        Ec2Region r = c.region();
        Ec2World w = c.world();
        QueryParams p = c.params();
        Instance i = r.instance(p.require("InstanceId"));
        String name = p.require("Name");
        if (i.state != InstanceState.RUNNING && i.state != InstanceState.STOPPED) {
            throw Ec2Error.client("IncorrectInstanceState", "The instance '" + i.id + "' is not in a state from which"
                    + " an image can be created: " + i.state.label + ".");
        }
        checkNewImage(c, name);
        Map<String, Map<String, String>> tagSpecs = Tagging.specifications(p, Set.of("image", "snapshot"),
                c.action());
        Image img = new Image(w.id("ami"));
        Map<String, BlockDevice> wanted = new LinkedHashMap<>();
        for (Attachment a : i.volumes) {
            Volume v = r.volumes.get(a.volumeId());
            wanted.put(a.device(), new BlockDevice(a.device(), v.id, v.size, v.volumeType, a.deleteOnTermination()));
        }
        for (QueryParams m : p.members("BlockDeviceMapping")) {
            String device = m.get("DeviceName");
            if (device == null) {
                throw Ec2Error.missing("BlockDeviceMapping.N.DeviceName");
            }
            if (m.has("NoDevice")) {
                wanted.remove(device);
                continue;
            }
            BlockDevice base = wanted.get(device);
            int size = m.integer("Ebs.VolumeSize", base == null ? 8 : base.size());
            Boolean dot = m.bool("Ebs.DeleteOnTermination");
            wanted.put(device, new BlockDevice(device, base == null ? null : base.snapshotId(), size,
                    m.get("Ebs.VolumeType", base == null ? "gp2" : base.volumeType()),
                    dot != null ? dot : base == null || base.deleteOnTermination()));
        }
        long nanos = w.nanos();
        Instant now = w.now();
        for (BlockDevice b : wanted.values()) {
            Snapshot s = newSnapshot(r, w, b.snapshotId(), b.size(), "Created by CreateImage(" + i.id + ") for "
                    + img.id, nanos, now);
            Tagging.apply(s, tagSpecs.get("snapshot"));
            img.blockDevices.add(new BlockDevice(b.deviceName(), s.id, b.size(), b.volumeType(),
                    b.deleteOnTermination()));
        }
        img.name = name;
        img.description = p.get("Description");
        img.ownerId = r.account;
        img.architecture = i.architecture;
        img.rootDeviceName = i.rootDeviceName;
        img.state = "pending";
        img.createdNanos = nanos;
        img.creationDate = now;
        img.sourceInstanceId = i.id;
        Tagging.apply(img, tagSpecs.get("image"));
        r.images.put(img.id, img);
        return c.response().leaf("imageId", img.id).finish();
    }

    private static Snapshot newSnapshot(Ec2Region r, Ec2World w, String volumeId, int size, String description,
            long nanos, Instant now) {
        Snapshot s = new Snapshot(w.id("snap"));
        s.volumeId = volumeId == null ? "vol-ffffffff" : volumeId;
        s.volumeSize = size;
        s.status = "pending";
        s.createdNanos = nanos;
        s.startTime = now;
        s.ownerId = r.account;
        s.description = description;
        r.snapshots.put(s.id, s);
        return s;
    }

    private static String copyImage(Ec2Call c) {
        Ec2Region r = c.region();
        Ec2World w = c.world();
        QueryParams p = c.params();
        String sourceRegion = p.require("SourceRegion");
        String sourceId = p.require("SourceImageId");
        String name = p.require("Name");
        Ec2Region source = w.region(r.account, sourceRegion);
        source.tick();
        Image from = source.image(sourceId);
        if (!from.state.equals("available")) {
            throw Ec2Error.client("IncorrectState", "Image " + sourceId + " is not in a state that can be copied:"
                    + " " + from.state + ".");
        }
        checkNewImage(c, name);
        Map<String, Map<String, String>> tagSpecs = Tagging.specifications(p, Set.of("image", "snapshot"),
                c.action());
        Image img = new Image(w.id("ami"));
        long nanos = w.nanos();
        Instant now = w.now();
        for (BlockDevice b : from.blockDevices) {
            Snapshot s = newSnapshot(r, w, null, b.size(), "Copied for DestinationAmi " + img.id + " from SourceAmi "
                    + from.id + " for SourceSnapshot " + b.snapshotId() + ". Task created on " + now.toEpochMilli()
                    + ".", nanos, now);
            Tagging.apply(s, tagSpecs.get("snapshot"));
            img.blockDevices.add(new BlockDevice(b.deviceName(), s.id, b.size(), b.volumeType(),
                    b.deleteOnTermination()));
        }
        img.name = name;
        img.description = p.get("Description", from.description);
        img.ownerId = r.account;
        img.architecture = from.architecture;
        img.rootDeviceName = from.rootDeviceName;
        img.state = "pending";
        img.createdNanos = nanos;
        img.creationDate = now;
        if (p.flag("CopyImageTags") && source.images.containsKey(from.id)) {
            Tagging.apply(img, from.tags);
        }
        Tagging.apply(img, tagSpecs.get("image"));
        r.images.put(img.id, img);
        return c.response().leaf("imageId", img.id).finish();
    }

    private static Image ownImage(Ec2Region r, String id) {
        Image img = r.image(id);
        if (!r.images.containsKey(id)) {
            throw Ec2Error.client("AuthFailure", "Not authorized for image:" + id);
        }
        return img;
    }

    private static String deregisterImage(Ec2Call c) {
        Ec2Region r = c.region();
        Image img = ownImage(r, c.params().require("ImageId"));
        r.images.remove(img.id);
        if (c.params().flag("DeleteAssociatedSnapshots")) {
            for (BlockDevice b : img.blockDevices) {
                r.snapshots.remove(b.snapshotId());
            }
        }
        return c.response().leaf("return", true).finish();
    }

    private static String modifyImageAttribute(Ec2Call c) {
        Image img = ownImage(c.region(), c.params().require("ImageId"));
        QueryParams p = c.params();
        if (p.has("Description.Value")) {
            img.description = p.get("Description.Value");
        }
        for (QueryParams add : p.members("LaunchPermission.Add")) {
            if ("all".equals(add.get("Group"))) {
                img.isPublic = true;
            }
        }
        for (QueryParams remove : p.members("LaunchPermission.Remove")) {
            if ("all".equals(remove.get("Group"))) {
                img.isPublic = false;
            }
        }
        if ("all".equals(p.get("UserGroup.1")) && "launchPermission".equals(p.get("Attribute"))) {
            img.isPublic = !"remove".equals(p.get("OperationType"));
        }
        // Sharing with other accounts is accepted; the emulator shows shared images to their owner only.
        return c.response().leaf("return", true).finish();
    }

    // --- volumes and snapshots

    private static String describeVolumes(Ec2Call c) {
        Ec2Region r = c.region();
        QueryParams p = c.params();
        Filters filters = Filters.of(p).validate(Volume.FILTERS);
        List<String> ids = p.list("VolumeId");
        List<Volume> found = new ArrayList<>();
        if (!ids.isEmpty()) {
            for (String id : ids) {
                found.add(r.volume(id));
            }
        } else {
            found.addAll(r.volumes.values());
        }
        List<Volume> matching = found.stream().filter(filters::matches).toList();
        Paging.Page<Volume> page = Paging.page(matching, p, c.action(), 5);
        Xml x = c.response().start("volumeSet");
        for (Volume v : page.items()) {
            x.start("item").leaf("volumeId", v.id).leaf("size", v.size).leaf("snapshotId", v.snapshotId == null ? ""
                    : v.snapshotId).leaf("availabilityZone", v.availabilityZone).leaf("status", v.status)
                    .leaf("createTime", v.createTime);
            x.start("attachmentSet");
            if (v.instanceId != null) {
                x.start("item").leaf("volumeId", v.id).leaf("instanceId", v.instanceId).leaf("device", v.device)
                        .leaf("status", "attached").leaf("attachTime", v.attachTime)
                        .leaf("deleteOnTermination", v.deleteOnTermination).end();
            }
            x.end();
            x.leaf("volumeType", v.volumeType).leaf("iops", v.iops()).leaf("encrypted", false)
                    .leaf("multiAttachEnabled", false).tags(v.tags).end();
        }
        return x.end().leaf("nextToken", page.nextToken()).finish();
    }

    private static String deleteVolume(Ec2Call c) {
        Ec2Region r = c.region();
        Volume v = r.volume(c.params().require("VolumeId"));
        if (v.instanceId != null) {
            throw Ec2Error.client("VolumeInUse", "Volume " + v.id + " is currently attached to " + v.instanceId);
        }
        r.volumes.remove(v.id);
        return c.response().leaf("return", true).finish();
    }

    private static String describeSnapshots(Ec2Call c) {
        Ec2Region r = c.region();
        QueryParams p = c.params();
        Filters filters = Filters.of(p).validate(Snapshot.FILTERS);
        List<String> ids = p.list("SnapshotId");
        List<String> owners = p.list("Owner");
        List<Snapshot> found = new ArrayList<>();
        if (!ids.isEmpty()) {
            for (String id : ids) {
                found.add(r.snapshot(id));
            }
        } else {
            found.addAll(r.snapshots.values());
        }
        List<Snapshot> matching = new ArrayList<>();
        for (Snapshot s : found) {
            boolean owned = owners.isEmpty() || owners.contains("self") || owners.contains(s.ownerId);
            if (owned && filters.matches(s)) {
                matching.add(s);
            }
        }
        Paging.Page<Snapshot> page = Paging.page(matching, p, c.action(), 5);
        Xml x = c.response().start("snapshotSet");
        for (Snapshot s : page.items()) {
            x.start("item").leaf("snapshotId", s.id).leaf("volumeId", s.volumeId).leaf("status", s.status)
                    .leaf("startTime", s.startTime).leaf("progress", s.progress()).leaf("ownerId", s.ownerId)
                    .leaf("volumeSize", s.volumeSize).leaf("description", s.description).leaf("encrypted", false)
                    .leaf("storageTier", "standard").tags(s.tags).end();
        }
        return x.end().leaf("nextToken", page.nextToken()).finish();
    }

    private static String deleteSnapshot(Ec2Call c) {
        Ec2Region r = c.region();
        Snapshot s = r.snapshot(c.params().require("SnapshotId"));
        for (Image img : r.images.values()) {
            for (BlockDevice b : img.blockDevices) {
                if (s.id.equals(b.snapshotId())) {
                    throw Ec2Error.client("InvalidSnapshot.InUse", "The snapshot " + s.id + " is currently in use by "
                            + img.id);
                }
            }
        }
        r.snapshots.remove(s.id);
        return c.response().leaf("return", true).finish();
    }

    private static String modifySnapshotAttribute(Ec2Call c) {
        c.region().snapshot(c.params().require("SnapshotId"));
        return c.response().leaf("return", true).finish();
    }

    static void notFound(List<String> missing, String code, String what) {
        if (missing.isEmpty()) {
            return;
        }
        if (missing.size() == 1) {
            throw Ec2Error.client(code, "The " + what + " '" + missing.get(0) + "' does not exist");
        }
        throw Ec2Error.client(code, "The " + what + "s '" + Ec2Call.idList(missing) + "' do not exist");
    }
}
