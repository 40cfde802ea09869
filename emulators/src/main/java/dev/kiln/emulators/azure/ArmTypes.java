package dev.kiln.emulators.azure;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The resource types the emulator serves, spelled as ARM spells them, with their operation-group names. */
final class ArmTypes {

    static final String VM = "Microsoft.Compute/virtualMachines";
    static final String DISK = "Microsoft.Compute/disks";
    static final String IMAGE = "Microsoft.Compute/images";
    static final String SNAPSHOT = "Microsoft.Compute/snapshots";
    static final String GALLERY = "Microsoft.Compute/galleries";
    static final String GALLERY_IMAGE = "Microsoft.Compute/galleries/images";
    static final String GALLERY_VERSION = "Microsoft.Compute/galleries/images/versions";
    static final String NIC = "Microsoft.Network/networkInterfaces";
    static final String PUBLIC_IP = "Microsoft.Network/publicIPAddresses";
    static final String VNET = "Microsoft.Network/virtualNetworks";
    static final String SUBNET = "Microsoft.Network/virtualNetworks/subnets";
    static final String NSG = "Microsoft.Network/networkSecurityGroups";
    static final String DEPLOYMENT = "Microsoft.Resources/deployments";

    /** Canonical type by lower-cased type, and the operation group that names its calls. */
    private static final Map<String, String[]> TYPES = new LinkedHashMap<>();

    static {
        add(VM, "VirtualMachines");
        add(DISK, "Disks");
        add(IMAGE, "Images");
        add(SNAPSHOT, "Snapshots");
        add(GALLERY, "Galleries");
        add(GALLERY_IMAGE, "GalleryImages");
        add(GALLERY_VERSION, "GalleryImageVersions");
        add(NIC, "NetworkInterfaces");
        add(PUBLIC_IP, "PublicIPAddresses");
        add(VNET, "VirtualNetworks");
        add(SUBNET, "Subnets");
        add(NSG, "NetworkSecurityGroups");
        add(DEPLOYMENT, "Deployments");
    }

    private ArmTypes() {
    }

    private static void add(String type, String group) {
        TYPES.put(type.toLowerCase(Locale.ROOT), new String[] {type, group});
    }

    /** The canonical spelling of {@code type}, or null when the emulator does not serve it. */
    static String canonical(String type) {
        String[] t = TYPES.get(type.toLowerCase(Locale.ROOT));
        return t == null ? null : t[0];
    }

    static String operationGroup(String canonicalType) {
        return TYPES.get(canonicalType.toLowerCase(Locale.ROOT))[1];
    }

    static String namespace(String type) {
        return type.substring(0, type.indexOf('/'));
    }

    /** Every type served, for error messages. */
    static String known() {
        return String.join(", ", TYPES.values().stream().map(t -> t[0]).toList());
    }
}
