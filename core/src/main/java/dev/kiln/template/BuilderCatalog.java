package dev.kiln.template;

import dev.kiln.internal.plan.Suggest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Kiln's knowledge of packer's builders, as data: for each builder Kiln runs, its provider and the
 * fields that carry the location, the image name, the tags and the instance size; and every other
 * builder packer 1.6.6 ships, so that a caller can tell "unknown builder type, did you mean ..." from
 * "not run by Kiln".
 *
 * <p>Field names are those of packer 1.6.6's builder configurations, checked against its config
 * structs ({@code builder/amazon/common/access_config.go}, {@code ami_config.go}, {@code run_config.go};
 * {@code builder/azure/arm/config.go}; {@code builder/googlecompute/config.go};
 * {@code builder/vsphere/common/config_location.go}, {@code step_hardware.go},
 * {@code step_import_to_content_library.go}) and against the packer binary itself: a test runs
 * {@code packer validate} on a template setting every field listed here and finds none refused as an
 * unknown key. The builders' pages:
 * <a href="https://www.packer.io/docs/builders/amazon">Amazon</a>,
 * <a href="https://www.packer.io/docs/builders/azure/arm">Azure ARM</a>,
 * <a href="https://www.packer.io/docs/builders/googlecompute">Google Compute</a>,
 * <a href="https://www.packer.io/docs/builders/vmware/vsphere-iso">vSphere ISO</a>,
 * <a href="https://www.packer.io/docs/builders/vmware/vsphere-clone">vSphere Clone</a>.
 */
public final class BuilderCatalog {

    private static final String DOCS = "https://www.packer.io/docs/builders/";

    private static final String AMI_COPIES = " ami_regions copies the AMI to more regions after the build.";

    /** The AWS provider reads either spelling; tag policies that refuse ':' need the second. */
    private static final List<String> AWS_KEYS = List.of("kiln:build-id", "kiln-build-id");
    /** Azure tags and Compute Engine labels allow no ':'. */
    private static final List<String> DASHED_KEY = List.of("kiln-build-id");

    private static final Map<String, BuilderProfile> SUPPORTED = profiles(
            new BuilderProfile("amazon-ebs", "aws", List.of("region"), List.of("ami_name"),
                    List.of("tags", "run_tags", "snapshot_tags", "run_volume_tags", "spot_tags"),
                    List.of("instance_type"), List.of("tags", "run_tags"), AWS_KEYS,
                    "Builds an EBS-backed AMI from an instance it launches in region." + AMI_COPIES,
                    DOCS + "amazon/ebs"),
            new BuilderProfile("amazon-ebssurrogate", "aws", List.of("region"), List.of("ami_name"),
                    List.of("tags", "run_tags", "snapshot_tags", "run_volume_tags", "spot_tags"),
                    List.of("instance_type"), List.of("tags", "run_tags"), AWS_KEYS,
                    "Builds an AMI from a volume prepared on a surrogate instance." + AMI_COPIES,
                    DOCS + "amazon/ebssurrogate"),
            new BuilderProfile("amazon-ebsvolume", "aws", List.of("region"), List.of(),
                    List.of("ebs_volumes.tags", "run_tags", "run_volume_tags", "spot_tags"), List.of("instance_type"),
                    List.of("ebs_volumes.tags", "run_tags"), AWS_KEYS,
                    "Makes EBS volumes, not an AMI: there is no ami_name (packer 1.6.6 refuses ami_name, tags and"
                            + " snapshot_tags here); each volume is tagged in ebs_volumes[].tags.",
                    DOCS + "amazon/ebsvolume"),
            new BuilderProfile("amazon-instance", "aws", List.of("region"), List.of("ami_name"),
                    List.of("tags", "run_tags", "snapshot_tags", "spot_tags"), List.of("instance_type"),
                    List.of("tags", "run_tags"), AWS_KEYS,
                    "Builds an instance-store AMI, bundled to s3_bucket; packer 1.6.6 has no run_volume_tags here."
                            + AMI_COPIES,
                    DOCS + "amazon/instance"),
            new BuilderProfile("amazon-chroot", "aws", List.of("region"), List.of("ami_name"),
                    List.of("tags", "snapshot_tags"), List.of(), List.of("tags"), AWS_KEYS,
                    "Builds on the EC2 instance packer runs on, in a chroot: it launches no instance, so there is"
                            + " no instance_type and no run_tags (packer 1.6.6 refuses both).",
                    DOCS + "amazon/chroot"),
            new BuilderProfile("azure-arm", "azure", List.of("location", "build_resource_group_name"),
                    List.of("managed_image_name", "shared_image_gallery_destination.image_name", "capture_name_prefix"),
                    List.of("azure_tags"), List.of("vm_size"), List.of("azure_tags"), DASHED_KEY,
                    "Either location (packer makes a temporary resource group there) or build_resource_group_name"
                            + " (an existing group, whose location is used) is set. The image is a managed image"
                            + " (managed_image_name in managed_image_resource_group_name), optionally published"
                            + " to shared_image_gallery_destination, or a VHD (capture_name_prefix).",
                    DOCS + "azure/arm"),
            new BuilderProfile("googlecompute", "gcp", List.of("zone"), List.of("image_name"),
                    List.of("image_labels", "labels"), List.of("machine_type"), List.of("image_labels", "labels"),
                    DASHED_KEY,
                    "zone is required; region, when set, only chooses the subnetwork's region. image_labels label"
                            + " the image, labels the instance and disk it builds on; tags are network tags, not"
                            + " labels.",
                    DOCS + "googlecompute"),
            new BuilderProfile("vsphere-iso", "vsphere", List.of("host", "cluster"),
                    List.of("vm_name", "content_library_destination.name"), List.of(), List.of("CPUs", "RAM"),
                    List.of(), DASHED_KEY,
                    "The VM is placed on host or in cluster (with datacenter, datastore, resource_pool and folder)."
                            + " convert_to_template keeps it as a template named vm_name; content_library_destination"
                            + " also imports it into a content library (its name defaults to vm_name). packer 1.6.6's"
                            + " vSphere builders have no tags field: what a build makes is known by its name only.",
                    DOCS + "vmware/vsphere-iso"),
            new BuilderProfile("vsphere-clone", "vsphere", List.of("host", "cluster"),
                    List.of("vm_name", "content_library_destination.name"), List.of(), List.of("CPUs", "RAM"),
                    List.of(), DASHED_KEY,
                    "Clones template into a VM placed on host or in cluster; otherwise as vsphere-iso: no tags"
                            + " field in packer 1.6.6.",
                    DOCS + "vmware/vsphere-clone"));

    private static final String LOCAL_HYPERVISOR = "a hypervisor on the machine running packer";
    private static final String LOCAL_CONTAINER = "containers on the machine running packer";

    /** Every other builder packer 1.6.6 ships (its {@code command/plugin.go}), with what it builds on. */
    private static final Map<String, String> UNSUPPORTED = unsupported(
            "alicloud-ecs", "Alibaba Cloud ECS",
            "azure-chroot", "an Azure VM packer runs on (Kiln runs azure-arm for Azure)",
            "azure-dtl", "Azure DevTest Labs (Kiln runs azure-arm for Azure)",
            "cloudstack", "Apache CloudStack",
            "digitalocean", "DigitalOcean",
            "docker", LOCAL_CONTAINER + " (Docker)",
            "file", "nothing: it writes a file, for testing",
            "hcloud", "Hetzner Cloud",
            "hyperone", "HyperOne",
            "hyperv-iso", LOCAL_HYPERVISOR + " (Hyper-V)",
            "hyperv-vmcx", LOCAL_HYPERVISOR + " (Hyper-V)",
            "jdcloud", "JD Cloud",
            "linode", "Linode",
            "lxc", LOCAL_CONTAINER + " (LXC)",
            "lxd", LOCAL_CONTAINER + " (LXD)",
            "ncloud", "Naver Cloud",
            "null", "nothing: it builds no image (Kiln's simulation uses it as a stand-in)",
            "oneandone", "1&1",
            "openstack", "OpenStack",
            "oracle-classic", "Oracle Cloud Infrastructure Classic",
            "oracle-oci", "Oracle Cloud Infrastructure",
            "osc-bsu", "Outscale",
            "osc-bsusurrogate", "Outscale",
            "osc-bsuvolume", "Outscale",
            "osc-chroot", "Outscale",
            "parallels-iso", LOCAL_HYPERVISOR + " (Parallels)",
            "parallels-pvm", LOCAL_HYPERVISOR + " (Parallels)",
            "profitbricks", "ProfitBricks",
            "proxmox", "Proxmox VE",
            "proxmox-clone", "Proxmox VE",
            "proxmox-iso", "Proxmox VE",
            "qemu", LOCAL_HYPERVISOR + " (QEMU)",
            "scaleway", "Scaleway",
            "tencentcloud-cvm", "Tencent Cloud",
            "triton", "Joyent Triton",
            "ucloud-uhost", "UCloud",
            "vagrant", "Vagrant boxes on the machine running packer",
            "virtualbox-iso", LOCAL_HYPERVISOR + " (VirtualBox)",
            "virtualbox-ovf", LOCAL_HYPERVISOR + " (VirtualBox)",
            "virtualbox-vm", LOCAL_HYPERVISOR + " (VirtualBox)",
            "vmware-iso", LOCAL_HYPERVISOR + " (VMware Workstation, Fusion or a bare ESXi host)",
            "vmware-vmx", LOCAL_HYPERVISOR + " (VMware Workstation, Fusion or a bare ESXi host)",
            "yandex", "Yandex.Cloud");

    private BuilderCatalog() {
    }

    /** What Kiln knows of builder type {@code type}. */
    public static BuilderLookup lookup(String type) {
        BuilderProfile profile = SUPPORTED.get(type);
        if (profile != null) {
            return new BuilderLookup.Supported(profile);
        }
        String buildsOn = UNSUPPORTED.get(type);
        if (buildsOn != null) {
            return new BuilderLookup.Unsupported(type, buildsOn);
        }
        List<String> known = new ArrayList<>(SUPPORTED.keySet());
        known.addAll(UNSUPPORTED.keySet());
        return new BuilderLookup.Unknown(type, Suggest.closest(type, known).orElse(null));
    }

    /** The profile of a builder type Kiln runs, if it is one. */
    public static Optional<BuilderProfile> profile(String type) {
        return Optional.ofNullable(SUPPORTED.get(type));
    }

    /** Every builder type Kiln runs, in a stable order (amazon-*, azure-arm, googlecompute, vsphere-*). */
    public static List<BuilderProfile> supported() {
        return List.copyOf(SUPPORTED.values());
    }

    /** Every other builder type packer 1.6.6 ships, to what it builds on. */
    public static Map<String, String> unsupported() {
        return UNSUPPORTED;
    }

    private static Map<String, BuilderProfile> profiles(BuilderProfile... profiles) {
        Map<String, BuilderProfile> out = new LinkedHashMap<>();
        for (BuilderProfile p : profiles) {
            out.put(p.type(), p);
        }
        return Collections.unmodifiableMap(out);
    }

    private static Map<String, String> unsupported(String... typeThenWhat) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < typeThenWhat.length; i += 2) {
            out.put(typeThenWhat[i], typeThenWhat[i + 1]);
        }
        return Collections.unmodifiableMap(out);
    }
}
