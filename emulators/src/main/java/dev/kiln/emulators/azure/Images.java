package dev.kiln.emulators.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.azure.ArmWorld.Res;
import java.util.regex.Pattern;

/** Managed images captured from generalized VMs, and gallery image versions published from them. */
final class Images {

    private static final Pattern VERSION_NAME = Pattern.compile("\\d+\\.\\d+\\.\\d+");

    private final ArmWorld world;

    Images(ArmWorld world) {
        this.world = world;
    }

    /** Checks a managed image's source and fills in its OS disk from the VM it captures. */
    void image(ObjectNode props, Res existing) {
        String source = props.path("sourceVirtualMachine").path("id").asText("");
        if (existing != null) {
            String was = existing.properties().path("sourceVirtualMachine").path("id").asText("");
            if (!was.equalsIgnoreCase(source)) {
                throw ArmError.of(409, "PropertyChangeNotAllowed", "Changing property 'sourceVirtualMachine' is not"
                        + " allowed.");
            }
        }
        if (!source.isEmpty()) {
            Res vm = world.resource(source);
            if (vm == null || !vm.isVm()) {
                throw ArmError.badRequest("InvalidParameter", "The source virtual machine '" + source
                        + "' was not found.");
            }
            if (!vm.generalized) {
                throw ArmError.of(409, "OperationNotAllowed", "The source virtual machine '" + source
                        + "' must be generalized to create an image.");
            }
            JsonNode vmDisk = vm.properties().path("storageProfile").path("osDisk");
            ObjectNode os = props.withObjectProperty("storageProfile").withObjectProperty("osDisk");
            os.put("osType", vmDisk.path("osType").asText("Linux")).put("osState", "Generalized")
                    .put("diskSizeGB", vmDisk.path("diskSizeGB").asInt(30)).put("caching", "ReadWrite")
                    .put("storageAccountType", "Standard_LRS");
            os.withObjectProperty("managedDisk").put("id", vmDisk.path("managedDisk").path("id").asText(""));
        } else if (!props.path("storageProfile").path("osDisk").isObject()) {
            throw ArmError.badRequest("InvalidParameter", "An image needs properties.sourceVirtualMachine.id or"
                    + " properties.storageProfile.osDisk.");
        }
        if (!props.has("hyperVGeneration")) {
            props.put("hyperVGeneration", "V1");
        }
    }

    /** Checks a gallery image version's name and source image and fills in its publishing profile. */
    void galleryVersion(Res r, String name, ObjectNode props) {
        if (!VERSION_NAME.matcher(name).matches()) {
            throw ArmError.badRequest("InvalidParameter", "The gallery image version name '" + name + "' is invalid."
                    + " It must be of the form <MajorVersion>.<MinorVersion>.<Patch>, e.g. 1.0.0.");
        }
        String source = props.path("storageProfile").path("source").path("id").asText(
                props.path("publishingProfile").path("source").path("managedImage").path("id").asText(""));
        if (source.isEmpty()) {
            throw ArmError.badRequest("InvalidParameter", "A gallery image version needs"
                    + " properties.storageProfile.source.id naming a managed image.");
        }
        Res image = world.resource(source);
        if (image == null || image.deleting()) {
            throw ArmError.of(404, "NotFound", "The source image '" + source + "' was not found.");
        }
        ObjectNode publishing = props.withObjectProperty("publishingProfile");
        publishing.put("publishedDate", world.now().toString());
        if (!publishing.path("targetRegions").isArray()) {
            publishing.putArray("targetRegions").addObject().put("name", r.location).put("regionalReplicaCount", 1);
        }
        props.withObjectProperty("storageProfile").withObjectProperty("source").put("id", source);
    }
}
