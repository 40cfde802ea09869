package dev.kiln.limits;

import static dev.kiln.limits.LimitSpec.concurrency;
import static dev.kiln.limits.LimitSpec.fixedWindow;
import static dev.kiln.limits.LimitSpec.tokenBucket;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The providers' documented limits and Kiln's cost models of their packer builders, as written
 * down in PROVIDER_LIMITS.md. Figures the providers do not publish are marked as estimates here
 * and are overridable per target, like every other figure.
 */
public final class ProviderDefaults {

    private ProviderDefaults() {
    }

    // --- AWS EC2: one bucket per account, region and action, seeded from the action's category.

    private static final Set<String> EC2_UNFILTERED_DESCRIBES = Set.of("DescribeInstances",
            "DescribeInstanceStatus", "DescribeNetworkInterfaces", "DescribeSecurityGroups",
            "DescribeSnapshots", "DescribeSpotInstanceRequests", "DescribeVolumes");

    private static final Set<String> EC2_RESOURCE_INTENSIVE = Set.of("AuthorizeSecurityGroupIngress",
            "CreateKeyPair", "RequestSpotInstances", "RevokeSecurityGroupIngress");

    /** The resource-bucket name that counts instances affected by {@code action}. */
    public static String ec2ResourceBucket(String action) {
        return action + ".instances";
    }

    /** EC2's request buckets (per action) and resource buckets, per account and region. */
    public static LimitsTable aws() {
        LimitsTable.Builder b = LimitsTable.builder()
                .limit("RunInstances", tokenBucket(5, 2), Scope.REGION)
                .limit("StartInstances", tokenBucket(5, 2), Scope.REGION)
                .limit("TerminateInstances", tokenBucket(100, 5), Scope.REGION)
                .limit("CopyImage", tokenBucket(100, 1), Scope.REGION)
                .limit("CreateTags", tokenBucket(100, 10), Scope.REGION)
                .limit("DeleteTags", tokenBucket(100, 10), Scope.REGION)
                .limit("CreateSnapshot", tokenBucket(100, 5), Scope.REGION)
                .limit("DeleteSnapshot", tokenBucket(100, 5), Scope.REGION)
                .limit("DeregisterImage", tokenBucket(100, 5), Scope.REGION)
                .limit("CreateVolume", tokenBucket(100, 5), Scope.REGION);
        for (var resource : Map.of("RunInstances", 2.0, "StartInstances", 2.0,
                "TerminateInstances", 20.0, "StopInstances", 20.0).entrySet()) {
            String action = resource.getKey();
            String bucket = ec2ResourceBucket(action);
            b.limit(bucket, tokenBucket(1000, resource.getValue()), Scope.REGION);
            b.route(action, new Charge(action, 1), new Charge(bucket, 1));
        }
        return b.perAction(EC2_UNFILTERED_DESCRIBES::contains, tokenBucket(50, 10), Scope.REGION)
                .perAction(ProviderDefaults::ec2NonMutating, tokenBucket(100, 20), Scope.REGION)
                .perAction(EC2_RESOURCE_INTENSIVE::contains, tokenBucket(50, 5), Scope.REGION)
                .perAction(a -> !a.isEmpty() && Character.isUpperCase(a.charAt(0)), tokenBucket(50, 5), Scope.REGION)
                .build();
    }

    private static boolean ec2NonMutating(String action) {
        return action.startsWith("Describe") || action.startsWith("List") || action.startsWith("Get")
                || action.startsWith("Search");
    }

    /**
     * packer's amazon-ebs, as recorded against the EC2 emulator (testkit's {@code PACKER_CALLS.md}):
     * the minimal build makes 27 calls, 13 of them waiter polls. The first poll of each waiter (and
     * the describe after it) is immediate and counted in the bursts; later polls come one per poll
     * delay, 15 s unless told otherwise, from one waiter at a time: 4 per minute, split between the
     * instance waiters and the AMI waiter. {@code vpc_filter} and {@code subnet_filter} add one
     * DescribeVpcs and two DescribeSubnets, counted here because most real templates set them.
     * Kiln's 3-minute expected build is an estimate.
     */
    public static CostModel awsEbs() {
        return new CostModel(Duration.ofMinutes(3), List.of(
                // start: name check, source AMI, network, key pair, group, launch, first instance polls
                new ApiCost("DescribeImages", 2, 2, 2),
                new ApiCost("DescribeVpcs", 1, 0, 0),
                new ApiCost("DescribeSubnets", 2, 0, 0),
                new ApiCost("CreateKeyPair", 1, 0, 0),
                new ApiCost("CreateSecurityGroup", 1, 0, 0),
                new ApiCost("DescribeSecurityGroups", 1, 0, 0),
                new ApiCost("AuthorizeSecurityGroupIngress", 1, 0, 0),
                new ApiCost("RunInstances", 1, 0, 0),
                new ApiCost("DescribeInstances", 2, 2, 2),
                // end: stop, image, tags, terminate, leftover volumes, group and key pair
                new ApiCost("StopInstances", 0, 0, 1),
                new ApiCost("CreateImage", 0, 0, 1),
                new ApiCost("CreateTags", 0, 0, 2),
                new ApiCost("TerminateInstances", 0, 0, 1),
                new ApiCost("DescribeVolumes", 0, 0, 1),
                new ApiCost("DeleteSecurityGroup", 0, 0, 1),
                new ApiCost("DeleteKeyPair", 0, 0, 1)), Map.of());
    }

    // --- Azure Resource Manager: subscription/region buckets plus Compute's throttling policies.

    /**
     * The go-autorest operations packer's azure-arm calls, as its throttle messages name them
     * ({@code compute.VirtualMachinesClient#Deallocate: ... StatusCode=429}), by api class: a
     * throttle seen in a build's output slows the limits that call charges, not all of them.
     */
    private static final Map<String, String> AZURE_ARM_OPERATIONS = Map.ofEntries(
            Map.entry("resources.GroupsClient#Get", "resource.read"),
            Map.entry("resources.GroupsClient#CheckExistence", "resource.read"),
            Map.entry("resources.GroupsClient#CreateOrUpdate", "resource.write"),
            Map.entry("resources.GroupsClient#Delete", "resource.delete"),
            Map.entry("resources.DeploymentsClient#Validate", "resource.write"),
            Map.entry("resources.DeploymentsClient#CreateOrUpdate", "resource.write"),
            Map.entry("resources.DeploymentsClient#Get", "resource.read"),
            Map.entry("resources.DeploymentsClient#Delete", "resource.delete"),
            Map.entry("resources.DeploymentOperationsClient#List", "resource.read"),
            Map.entry("network.PublicIPAddressesClient#Get", "resource.read"),
            Map.entry("network.PublicIPAddressesClient#Delete", "resource.delete"),
            Map.entry("network.InterfacesClient#Delete", "resource.delete"),
            Map.entry("network.VirtualNetworksClient#Delete", "resource.delete"),
            Map.entry("compute.VirtualMachinesClient#Get", "vm.get"),
            Map.entry("compute.VirtualMachinesClient#Deallocate", "vm.put"),
            Map.entry("compute.VirtualMachinesClient#Generalize", "vm.put"),
            Map.entry("compute.VirtualMachinesClient#Delete", "vm.delete"),
            Map.entry("compute.ImagesClient#Get", "resource.read"),
            Map.entry("compute.ImagesClient#CreateOrUpdate", "resource.write"),
            Map.entry("compute.DisksClient#Delete", "resource.delete"),
            Map.entry("compute.GalleryImagesClient#Get", "resource.read"),
            Map.entry("compute.GalleryImageVersionsClient#CreateOrUpdate", "resource.write"));

    /**
     * ARM's read/write/delete buckets and Compute's PutVM, LowCostGet, HighCostGet and GetOperation
     * policies, charged by api class; packer azure-arm's go-autorest operation names route to the
     * class they belong to.
     */
    public static LimitsTable azure() {
        LimitsTable.Builder b = azureClasses();
        LimitsTable classes = b.build();
        AZURE_ARM_OPERATIONS.forEach((operation, api) -> b.route(operation,
                classes.chargesFor(api).toArray(Charge[]::new)));
        return b.build();
    }

    private static LimitsTable.Builder azureClasses() {
        return LimitsTable.builder()
                .limit("arm.reads", tokenBucket(250, 25), Scope.REGION)
                .limit("arm.writes", tokenBucket(200, 10), Scope.REGION)
                .limit("arm.deletes", tokenBucket(200, 10), Scope.REGION)
                .limit("compute.PutVM", tokenBucket(1500, 500 / 60.0), Scope.REGION)
                .limit("compute.LowCostGet", tokenBucket(24000, 8000 / 60.0), Scope.REGION)
                .limit("compute.HighCostGet", tokenBucket(900, 300 / 60.0), Scope.REGION)
                .limit("compute.GetOperation", tokenBucket(15000, 5000 / 60.0), Scope.REGION)
                .route("resource.read", new Charge("arm.reads", 1))
                .route("resource.write", new Charge("arm.writes", 1))
                .route("resource.delete", new Charge("arm.deletes", 1))
                .route("vm.put", new Charge("arm.writes", 1), new Charge("compute.PutVM", 1))
                .route("vm.delete", new Charge("arm.deletes", 1), new Charge("compute.PutVM", 1))
                .route("vm.get", new Charge("arm.reads", 1), new Charge("compute.LowCostGet", 1))
                .route("vm.list", new Charge("arm.reads", 1), new Charge("compute.HighCostGet", 1))
                .route("operation.get", new Charge("arm.reads", 1), new Charge("compute.GetOperation", 1));
    }

    /**
     * packer's azure-arm (1.6.6, Linux, managed image, temporary resource group), calibrated on the
     * calls the gate recorded of the real builder (kiln-emulators' {@code azure/PACKER_CALLS.md}):
     * before the VM exists, the image group and name checks and the temporary group's existence (3
     * reads), the group, template validation and deployment (3 writes); while it runs, long-running
     * operations polled at ARM's {@code Retry-After} (about one plain read and one Compute operation
     * read a minute); from the public IP on, the VM reads (2), deallocate and generalize, the image
     * capture and its polls, and a teardown of 2 deletes (the deployment, then the temporary group,
     * which takes the VM, NIC, public IP, vnet and disk with it), all paid at admission. A real build
     * takes about ten minutes, mostly the deployment and the capture.
     */
    public static CostModel azureArm() {
        return new CostModel(Duration.ofMinutes(10), List.of(
                new ApiCost("resource.read", 3, 1, 5),
                new ApiCost("resource.write", 3, 0, 1),
                new ApiCost("vm.get", 0, 0, 2),
                new ApiCost("vm.put", 0, 0, 2),
                new ApiCost("operation.get", 0, 1, 3),
                new ApiCost("resource.delete", 0, 0, 2)), Map.of());
    }

    // --- Google Compute Engine: per-minute rate quotas in fixed windows, per project and region.

    /** GCE rate quotas (≈1,500 per minute per group: an older documented default, unconfirmed). */
    public static LimitsTable gcp() {
        Duration minute = Duration.ofMinutes(1);
        return LimitsTable.builder()
                .limit("gce.reads", fixedWindow(1500, minute), Scope.ACCOUNT)
                .limit("gce.writes", fixedWindow(1500, minute), Scope.ACCOUNT)
                .limit("gce.operation.reads", fixedWindow(1500, minute), Scope.ACCOUNT)
                .limit("gce.heavy.reads", fixedWindow(500, minute), Scope.ACCOUNT)
                .limit("gce.global.writes", fixedWindow(300, minute), Scope.ACCOUNT)
                .limit("gce.regional.reads", fixedWindow(1500, minute), Scope.REGION)
                .limit("gce.regional.writes", fixedWindow(1500, minute), Scope.REGION)
                .route("read", new Charge("gce.reads", 1), new Charge("gce.regional.reads", 1))
                .route("write", new Charge("gce.writes", 1), new Charge("gce.regional.writes", 1))
                .route("operation.get", new Charge("gce.operation.reads", 1))
                .route("aggregated.list", new Charge("gce.heavy.reads", 1))
                .route("global.write", new Charge("gce.writes", 1), new Charge("gce.global.writes", 1))
                .build();
    }

    /**
     * packer's googlecompute, from the calls 1.6.6's steps make (testkit's {@code gcp/PACKER_CALLS.md}):
     * before provisioning, images.get (name free), images.get (source image; one per project
     * tried), zones.get, machineTypes.get, instances.insert, zoneOperations.get every 2 s until the
     * instance is created, instances.get until RUNNING and once for its IP; after provisioning,
     * getSerialPortOutput, instances.delete, images.insert, images.get and disks.delete, each
     * delete and the image polled every 2 s. Operation polling is spread over the build as a
     * steady rate: a 4-minute build waits about 2 minutes on operations in all (estimate).
     */
    public static CostModel gcpCompute() {
        return new CostModel(Duration.ofMinutes(4), List.of(
                new ApiCost("read", 6, 0, 2),
                new ApiCost("write", 1, 0, 2),
                new ApiCost("operation.get", 2, 15, 2),
                new ApiCost("global.write", 0, 0, 1)), Map.of());
    }

    // --- vSphere: no request throttling; provisioning cost per host and per datastore.

    /** vCenter's documented maximum provisioning cost per host (16 on some 6.x+ builds: override it there). */
    public static final long VCENTER_HOST_MAX_COST = 8;
    /** vCenter's documented maximum provisioning cost per datastore. */
    public static final long VCENTER_DATASTORE_MAX_COST = 128;
    /** What one clone (or deploy from template) costs on its host and on its datastore. */
    public static final long VCENTER_CLONE_COST = 1;
    /** Kiln's own REST calls to one vCenter (quota probes, name checks, verification, sweeps). */
    public static final String VCENTER_REST = "vcenter.rest";

    /** Limit name of a datastore's provisioning cost. */
    public static String datastoreLimit(String datastore) {
        return "vcenter.datastore." + datastore;
    }

    /** vCenter provisioning costs: host 8, datastore 128 (each clone costs 1 of each). */
    public static LimitsTable vsphere(String datastore) {
        return vsphere(datastore, VCENTER_HOST_MAX_COST, VCENTER_DATASTORE_MAX_COST);
    }

    /**
     * vCenter's limits with other maximum costs: {@code vcenter.host} per host (the target's region),
     * the datastore's cost across the vCenter (the target's account), and {@value #VCENTER_REST}, a
     * generous bucket for Kiln's own REST calls (vCenter documents no request throttling; the
     * bucket only keeps a fleet's sweeps from flooding one vCenter, an estimate). A null
     * {@code datastore} leaves the datastore limit out.
     */
    public static LimitsTable vsphere(String datastore, long hostMaxCost, long datastoreMaxCost) {
        LimitsTable.Builder b = LimitsTable.builder()
                .limit("vcenter.host", concurrency(hostMaxCost), Scope.REGION)
                .limit(VCENTER_REST, tokenBucket(500, 50), Scope.ACCOUNT);
        if (datastore != null) {
            b.limit(datastoreLimit(datastore), concurrency(datastoreMaxCost), Scope.ACCOUNT);
        }
        return b.build();
    }

    /** packer's vsphere-clone: holds one clone's cost on its host and its datastore while running. */
    public static CostModel vsphereClone(String datastore) {
        return vsphereClone(datastore, VCENTER_CLONE_COST);
    }

    /**
     * packer's vsphere-clone with another clone cost, held on the host and (unless
     * {@code datastore} is null) the datastore for the whole build: vCenter queues provisioning
     * over its limits without telling anyone, so Kiln keeps builds under them itself.
     */
    public static CostModel vsphereClone(String datastore, long cloneCost) {
        if (cloneCost <= 0) {
            throw new IllegalArgumentException("a clone's cost must be positive, got " + cloneCost);
        }
        Map<String, Long> holds = datastore == null ? Map.of("vcenter.host", cloneCost)
                : Map.of("vcenter.host", cloneCost, datastoreLimit(datastore), cloneCost);
        return new CostModel(Duration.ofMinutes(5), List.of(), holds);
    }
}
