package dev.kiln.emulators.aws;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the emulator keeps of each EC2 resource, with the filter names EC2 documents for it. */
final class Resources {

    private Resources() {
    }

    abstract static class Resource {
        final String id;
        final Map<String, String> tags = new LinkedHashMap<>();

        Resource(String id) {
            this.id = id;
        }

        /** EC2's resource type name, as in TagSpecification and DescribeTags. */
        abstract String type();

        abstract String state();

        /** The values filter {@code name} sees on this resource; null when the filter is unknown. */
        final List<String> filterValues(String name) {
            if (name.startsWith("tag:")) {
                String v = tags.get(name.substring(4));
                return v == null ? List.of() : List.of(v);
            }
            if (name.equals("tag-key")) {
                return List.copyOf(tags.keySet());
            }
            if (name.equals("tag-value")) {
                return List.copyOf(tags.values());
            }
            return own(name);
        }

        abstract List<String> own(String name);
    }

    static List<String> one(Object v) {
        return v == null ? List.of() : List.of(String.valueOf(v));
    }

    enum InstanceState {
        PENDING(0, "pending"), RUNNING(16, "running"), SHUTTING_DOWN(32, "shutting-down"), TERMINATED(48, "terminated"),
        STOPPING(64, "stopping"), STOPPED(80, "stopped");

        final int code;
        final String label;

        InstanceState(int code, String label) {
            this.code = code;
            this.label = label;
        }

        /** Whether an instance in this state holds vCPUs of the on-demand quota. */
        boolean holdsVcpus() {
            return this == PENDING || this == RUNNING;
        }
    }

    record Attachment(String volumeId, String device, Instant attachTime, boolean deleteOnTermination) {
    }

    static final class Instance extends Resource {
        static final Set<String> FILTERS = Set.of("instance-id", "instance-state-name", "instance-state-code",
                "instance-type", "image-id", "vpc-id", "subnet-id", "key-name", "availability-zone",
                "placement.availability-zone", "reservation-id", "owner-id", "instance.group-id", "instance.group-name",
                "group-id", "group-name", "private-ip-address", "ip-address", "architecture", "root-device-type",
                "launch-time", "block-device-mapping.volume-id", "client-token");

        String reservationId;
        String ownerId;
        String imageId;
        InstanceTypes.Type type;
        String keyName;
        String subnetId;
        String vpcId;
        String availabilityZone;
        String privateIp;
        String publicIp;
        String rootDeviceName;
        String architecture;
        String clientToken;
        boolean wantsPublicIp;
        int launchIndex;
        int vcpus;
        final List<String> groupIds = new ArrayList<>();
        final Map<String, String> groupNames = new LinkedHashMap<>();
        final List<Attachment> volumes = new ArrayList<>();
        Instant launchTime;
        InstanceState state;
        long stateSince;
        String transitionReason = "";
        String stateReasonCode;
        String stateReasonMessage;

        Instance(String id) {
            super(id);
        }

        @Override
        String type() {
            return "instance";
        }

        @Override
        String state() {
            return state.label;
        }

        @Override
        List<String> own(String name) {
            return switch (name) {
                case "instance-id" -> one(id);
                case "instance-state-name" -> one(state.label);
                case "instance-state-code" -> one(state.code);
                case "instance-type" -> one(type.name());
                case "image-id" -> one(imageId);
                case "vpc-id" -> one(vpcId);
                case "subnet-id" -> one(subnetId);
                case "key-name" -> one(keyName);
                case "availability-zone", "placement.availability-zone" -> one(availabilityZone);
                case "reservation-id" -> one(reservationId);
                case "owner-id" -> one(ownerId);
                case "instance.group-id", "group-id" -> List.copyOf(groupIds);
                case "instance.group-name", "group-name" -> List.copyOf(groupNames.values());
                case "private-ip-address" -> one(privateIp);
                case "ip-address" -> one(publicIp);
                case "architecture" -> one(architecture);
                case "root-device-type" -> one("ebs");
                case "launch-time" -> one(Xml.time(launchTime));
                case "block-device-mapping.volume-id" -> volumes.stream().map(Attachment::volumeId).toList();
                case "client-token" -> one(clientToken);
                default -> null;
            };
        }
    }

    record BlockDevice(String deviceName, String snapshotId, int size, String volumeType, boolean deleteOnTermination) {
    }

    static final class Image extends Resource {
        static final Set<String> FILTERS = Set.of("name", "image-id", "state", "owner-id", "owner-alias", "is-public",
                "architecture", "root-device-type", "root-device-name", "virtualization-type", "image-type",
                "description", "platform", "hypervisor", "ena-support", "block-device-mapping.snapshot-id",
                "block-device-mapping.device-name", "block-device-mapping.volume-size",
                "block-device-mapping.volume-type", "creation-date", "source-instance-id");

        String name;
        String description;
        String ownerId;
        String ownerAlias;
        boolean isPublic;
        String architecture = "x86_64";
        String rootDeviceName = "/dev/xvda";
        String state;
        long createdNanos;
        Instant creationDate;
        String sourceInstanceId;
        String platformDetails = "Linux/UNIX";
        final List<BlockDevice> blockDevices = new ArrayList<>();

        Image(String id) {
            super(id);
        }

        @Override
        String type() {
            return "image";
        }

        @Override
        String state() {
            return state;
        }

        @Override
        List<String> own(String n) {
            return switch (n) {
                case "name" -> one(name);
                case "image-id" -> one(id);
                case "state" -> one(state);
                case "owner-id" -> one(ownerId);
                case "owner-alias" -> one(ownerAlias);
                case "is-public" -> one(isPublic);
                case "architecture" -> one(architecture);
                case "root-device-type" -> one("ebs");
                case "root-device-name" -> one(rootDeviceName);
                case "virtualization-type" -> one("hvm");
                case "image-type" -> one("machine");
                case "description" -> one(description);
                case "platform" -> List.of();
                case "hypervisor" -> one("xen");
                case "ena-support" -> one(true);
                case "block-device-mapping.snapshot-id" -> blockDevices.stream().map(BlockDevice::snapshotId).toList();
                case "block-device-mapping.device-name" -> blockDevices.stream().map(BlockDevice::deviceName).toList();
                case "block-device-mapping.volume-size" ->
                        blockDevices.stream().map(b -> String.valueOf(b.size())).toList();
                case "block-device-mapping.volume-type" -> blockDevices.stream().map(BlockDevice::volumeType).toList();
                case "creation-date" -> one(Xml.time(creationDate));
                case "source-instance-id" -> one(sourceInstanceId);
                default -> null;
            };
        }

        int rootSize() {
            for (BlockDevice b : blockDevices) {
                if (b.deviceName().equals(rootDeviceName)) {
                    return b.size();
                }
            }
            return 8;
        }
    }

    static final class Snapshot extends Resource {
        static final Set<String> FILTERS = Set.of("snapshot-id", "volume-id", "status", "owner-id", "owner-alias",
                "description", "volume-size", "start-time", "encrypted", "progress");

        String volumeId;
        int volumeSize;
        String status;
        long createdNanos;
        Instant startTime;
        String ownerId;
        String description;

        Snapshot(String id) {
            super(id);
        }

        @Override
        String type() {
            return "snapshot";
        }

        @Override
        String state() {
            return status;
        }

        @Override
        List<String> own(String n) {
            return switch (n) {
                case "snapshot-id" -> one(id);
                case "volume-id" -> one(volumeId);
                case "status" -> one(status);
                case "owner-id" -> one(ownerId);
                case "owner-alias" -> List.of();
                case "description" -> one(description);
                case "volume-size" -> one(volumeSize);
                case "start-time" -> one(Xml.time(startTime));
                case "encrypted" -> one(false);
                case "progress" -> one(progress());
                default -> null;
            };
        }

        String progress() {
            return status.equals("completed") ? "100%" : "0%";
        }
    }

    static final class Volume extends Resource {
        static final Set<String> FILTERS = Set.of("volume-id", "status", "attachment.instance-id", "attachment.status",
                "attachment.device", "attachment.delete-on-termination", "availability-zone", "size", "snapshot-id",
                "volume-type", "create-time", "encrypted");

        int size;
        String volumeType = "gp2";
        String availabilityZone;
        String snapshotId;
        String status;
        Instant createTime;
        String instanceId;
        String device;
        Instant attachTime;
        boolean deleteOnTermination;

        Volume(String id) {
            super(id);
        }

        @Override
        String type() {
            return "volume";
        }

        @Override
        String state() {
            return status;
        }

        @Override
        List<String> own(String n) {
            return switch (n) {
                case "volume-id" -> one(id);
                case "status" -> one(status);
                case "attachment.instance-id" -> one(instanceId);
                case "attachment.status" -> instanceId == null ? List.of() : List.of("attached");
                case "attachment.device" -> one(device);
                case "attachment.delete-on-termination" -> instanceId == null ? List.of() : one(deleteOnTermination);
                case "availability-zone" -> one(availabilityZone);
                case "size" -> one(size);
                case "snapshot-id" -> one(snapshotId);
                case "volume-type" -> one(volumeType);
                case "create-time" -> one(Xml.time(createTime));
                case "encrypted" -> one(false);
                default -> null;
            };
        }

        int iops() {
            return volumeType.equals("gp3") ? 3000 : Math.max(100, Math.min(16000, size * 3));
        }
    }

    static final class KeyPair extends Resource {
        static final Set<String> FILTERS = Set.of("key-name", "key-pair-id", "fingerprint", "key-type");

        String name;
        String fingerprint;
        String keyType;
        Instant createTime;

        KeyPair(String id) {
            super(id);
        }

        @Override
        String type() {
            return "key-pair";
        }

        @Override
        String state() {
            return "available";
        }

        @Override
        List<String> own(String n) {
            return switch (n) {
                case "key-name" -> one(name);
                case "key-pair-id" -> one(id);
                case "fingerprint" -> one(fingerprint);
                case "key-type" -> one(keyType);
                default -> null;
            };
        }
    }

    record Rule(String ruleId, String protocol, Integer fromPort, Integer toPort, String cidr, String groupId,
            String description) {

        String describe() {
            String proto = protocol.equals("-1") ? "ALL" : protocol.toUpperCase(java.util.Locale.ROOT);
            return "peer: " + (cidr != null ? cidr : groupId) + ", " + proto + ", from port: " + fromPort
                    + ", to port: " + toPort + ", ALLOW";
        }

        boolean sameAs(Rule o) {
            return protocol.equals(o.protocol) && java.util.Objects.equals(fromPort, o.fromPort)
                    && java.util.Objects.equals(toPort, o.toPort) && java.util.Objects.equals(cidr, o.cidr)
                    && java.util.Objects.equals(groupId, o.groupId);
        }
    }

    static final class SecurityGroup extends Resource {
        static final Set<String> FILTERS = Set.of("group-id", "group-name", "vpc-id", "description", "owner-id",
                "ip-permission.protocol", "ip-permission.from-port", "ip-permission.to-port", "ip-permission.cidr");

        String name;
        String description;
        String vpcId;
        String ownerId;
        boolean isDefault;
        final List<Rule> ingress = new ArrayList<>();
        final List<Rule> egress = new ArrayList<>();

        SecurityGroup(String id) {
            super(id);
        }

        @Override
        String type() {
            return "security-group";
        }

        @Override
        String state() {
            return "available";
        }

        @Override
        List<String> own(String n) {
            return switch (n) {
                case "group-id" -> one(id);
                case "group-name" -> one(name);
                case "vpc-id" -> one(vpcId);
                case "description" -> one(description);
                case "owner-id" -> one(ownerId);
                case "ip-permission.protocol" -> ingress.stream().map(Rule::protocol).toList();
                case "ip-permission.from-port" -> ingress.stream().map(r -> String.valueOf(r.fromPort())).toList();
                case "ip-permission.to-port" -> ingress.stream().map(r -> String.valueOf(r.toPort())).toList();
                case "ip-permission.cidr" -> ingress.stream().map(Rule::cidr).filter(c -> c != null).toList();
                default -> null;
            };
        }
    }

    static final class Vpc extends Resource {
        static final Set<String> FILTERS = Set.of("vpc-id", "isDefault", "is-default", "state", "cidr", "cidr-block",
                "cidr-block-association.cidr-block", "owner-id", "dhcp-options-id");

        String cidr;
        boolean isDefault;
        String ownerId;
        String dhcpOptionsId;

        Vpc(String id) {
            super(id);
        }

        @Override
        String type() {
            return "vpc";
        }

        @Override
        String state() {
            return "available";
        }

        @Override
        List<String> own(String n) {
            return switch (n) {
                case "vpc-id" -> one(id);
                case "isDefault", "is-default" -> one(isDefault);
                case "state" -> one("available");
                case "cidr", "cidr-block", "cidr-block-association.cidr-block" -> one(cidr);
                case "owner-id" -> one(ownerId);
                case "dhcp-options-id" -> one(dhcpOptionsId);
                default -> null;
            };
        }
    }

    static final class Subnet extends Resource {
        static final Set<String> FILTERS = Set.of("subnet-id", "vpc-id", "availability-zone", "availability-zone-id",
                "availabilityZone", "default-for-az", "defaultForAz", "state", "cidr", "cidr-block", "cidrBlock",
                "owner-id", "map-public-ip-on-launch", "available-ip-address-count");

        String vpcId;
        String cidr;
        String availabilityZone;
        String availabilityZoneId;
        boolean defaultForAz;
        String ownerId;
        int nextHost = 4;

        Subnet(String id) {
            super(id);
        }

        @Override
        String type() {
            return "subnet";
        }

        @Override
        String state() {
            return "available";
        }

        @Override
        List<String> own(String n) {
            return switch (n) {
                case "subnet-id" -> one(id);
                case "vpc-id" -> one(vpcId);
                case "availability-zone", "availabilityZone" -> one(availabilityZone);
                case "availability-zone-id" -> one(availabilityZoneId);
                case "default-for-az", "defaultForAz" -> one(defaultForAz);
                case "state" -> one("available");
                case "cidr", "cidr-block", "cidrBlock" -> one(cidr);
                case "owner-id" -> one(ownerId);
                case "map-public-ip-on-launch" -> one(defaultForAz);
                case "available-ip-address-count" -> one(availableIps());
                default -> null;
            };
        }

        int availableIps() {
            int bits = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
            return (1 << (32 - bits)) - nextHost - 1;
        }

        /** The next free private address, counted up from the subnet's base (EC2 keeps the first four). */
        String allocateIp() {
            String base = cidr.substring(0, cidr.indexOf('/'));
            String[] o = base.split("\\.");
            long addr = (Long.parseLong(o[0]) << 24) | (Long.parseLong(o[1]) << 16) | (Long.parseLong(o[2]) << 8)
                    | Long.parseLong(o[3]);
            addr += nextHost++;
            return ((addr >> 24) & 255) + "." + ((addr >> 16) & 255) + "." + ((addr >> 8) & 255) + "." + (addr & 255);
        }
    }

    static final class InternetGateway extends Resource {
        static final Set<String> FILTERS = Set.of("internet-gateway-id", "attachment.vpc-id", "attachment.state",
                "owner-id");

        String vpcId;
        String ownerId;

        InternetGateway(String id) {
            super(id);
        }

        @Override
        String type() {
            return "internet-gateway";
        }

        @Override
        String state() {
            return "available";
        }

        @Override
        List<String> own(String n) {
            return switch (n) {
                case "internet-gateway-id" -> one(id);
                case "attachment.vpc-id" -> one(vpcId);
                case "attachment.state" -> vpcId == null ? List.of() : List.of("available");
                case "owner-id" -> one(ownerId);
                default -> null;
            };
        }
    }

    static final class RouteTable extends Resource {
        static final Set<String> FILTERS = Set.of("route-table-id", "vpc-id", "association.main",
                "association.subnet-id", "association.route-table-association-id", "owner-id",
                "route.gateway-id", "route.destination-cidr-block");

        String vpcId;
        String ownerId;
        String mainAssociationId;
        String gatewayId;
        String vpcCidr;

        RouteTable(String id) {
            super(id);
        }

        @Override
        String type() {
            return "route-table";
        }

        @Override
        String state() {
            return "available";
        }

        @Override
        List<String> own(String n) {
            return switch (n) {
                case "route-table-id" -> one(id);
                case "vpc-id" -> one(vpcId);
                case "association.main" -> one(mainAssociationId != null);
                case "association.subnet-id" -> List.of();
                case "association.route-table-association-id" -> one(mainAssociationId);
                case "owner-id" -> one(ownerId);
                case "route.gateway-id" -> gatewayId == null ? List.of("local") : List.of("local", gatewayId);
                case "route.destination-cidr-block" -> gatewayId == null ? List.of(vpcCidr) : List.of(vpcCidr, "0.0.0.0/0");
                default -> null;
            };
        }
    }
}
