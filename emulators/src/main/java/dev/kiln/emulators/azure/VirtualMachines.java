package dev.kiln.emulators.azure;

import static dev.kiln.emulators.azure.ArmJson.JSON;
import static dev.kiln.emulators.azure.ArmJson.ok;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.azure.ArmWorld.Op;
import dev.kiln.emulators.azure.ArmWorld.Res;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Compute's virtual machines: sizes and the cores quota they are held to, their power verbs
 * (deallocate, generalize, power off, start, restart) as long-running operations, their instance
 * view, and the usages and sizes a region answers.
 */
final class VirtualMachines {

    /** The verbs a VM answers after its name ({@code .../virtualMachines/{name}/deallocate}). */
    static final Set<String> ACTIONS = Set.of("deallocate", "generalize", "poweroff", "start", "restart",
            "instanceview");

    private final ArmWorld world;
    private final ArmConfig config;
    private final LongRunning operations;

    VirtualMachines(ArmWorld world, ArmConfig config, LongRunning operations) {
        this.world = world;
        this.config = config;
        this.operations = operations;
    }

    /** Sizes {@code r} from its hardware profile (or what it had), holding the change to the cores quotas. */
    void size(String sub, Res r, ObjectNode props, Res existing) {
        String sizeName = props.path("hardwareProfile").path("vmSize").asText(
                existing != null && existing.size != null ? existing.size.name() : "");
        VmSizes.Size size = VmSizes.of(sizeName).orElseThrow(() -> ArmError.badRequest("InvalidParameter",
                "The requested VM size '" + sizeName + "' is not available in location '" + r.location
                        + "'. Sizes the emulator knows: " + String.join(", ", names())));
        int oldCores = existing != null && existing.size != null && !"deallocated".equals(existing.power)
                ? existing.size.cores() : 0;
        String oldFamily = existing != null && existing.size != null ? existing.size.family() : null;
        checkQuota(sub, r.location, size.cores() - oldCores,
                size.family().equals(oldFamily) ? size.cores() - oldCores : size.cores(), size.family());
        r.size = size;
        props.withObjectProperty("hardwareProfile").put("vmSize", size.name());
    }

    private static List<String> names() {
        List<String> out = new ArrayList<>();
        VmSizes.all().forEach(s -> out.add(s.name()));
        return out;
    }

    /** Refuses {@code cores} more in the region (and {@code familyCores} more of {@code family}) over the limits. */
    void checkQuota(String sub, String region, int cores, int familyCores, String family) {
        if (cores <= 0 && familyCores <= 0) {
            return;
        }
        int limit = config.coresLimit(sub, region);
        int usage = world.coresInUse(sub, region, null);
        if (usage + cores > limit) {
            throw quota("Total Regional Cores", region, limit, usage, cores);
        }
        int familyLimit = config.familyLimit(sub, region, family);
        int familyUsage = world.coresInUse(sub, region, family);
        if (familyUsage + familyCores > familyLimit) {
            throw quota(family + " Cores", region, familyLimit, familyUsage, familyCores);
        }
    }

    private static ArmError quota(String what, String region, int limit, int usage, int required) {
        return new ArmError(409, "OperationNotAllowed", "Operation could not be completed as it results in exceeding"
                + " approved " + what + " quota. Additional details - Deployment Model: Resource Manager, Location: "
                + region + ", Current Limit: " + limit + ", Current Usage: " + usage + ", Additional Required: "
                + required + ", (Minimum) New Limit Required: " + (usage + required) + ". Submit a request for Quota"
                + " increase at https://aka.ms/ProdportalCRP/#blade/Microsoft_Azure_Capacity/UsageAndQuota.ReactView"
                + " by specifying parameters listed in the 'Details' section for deployment to succeed. Please read"
                + " more about quota limits at https://docs.microsoft.com/en-us/azure/azure-supportability/"
                + "regional-quota-requests.", Outcome.QUOTA, null, -1);
    }

    ObjectNode instanceView(Res r) {
        ObjectNode iv = JSON.createObjectNode();
        iv.put("computerName", r.name);
        ArrayNode statuses = iv.putArray("statuses");
        statuses.addObject().put("code", "ProvisioningState/" + r.state.toLowerCase(Locale.ROOT))
                .put("level", "Info").put("displayStatus", "Provisioning " + r.state.toLowerCase(Locale.ROOT));
        String power = r.pendingPower != null && !r.pendingPower.equals(r.power) ? transitional(r.pendingPower)
                : r.power;
        statuses.addObject().put("code", "PowerState/" + power).put("level", "Info")
                .put("displayStatus", "VM " + power);
        return iv;
    }

    private static String transitional(String target) {
        return switch (target) {
            case "deallocated" -> "deallocating";
            case "stopped" -> "stopping";
            default -> "starting";
        };
    }

    /** {@code POST .../virtualMachines/{name}/{verb}}. */
    Response act(Request request, Res vm, String verb, String v) {
        if (vm.deleting()) {
            throw ArmError.of(409, "OperationNotAllowed", "The VM '" + vm.name + "' is being deleted.");
        }
        switch (verb) {
            case "generalize": {
                if (!"deallocated".equals(vm.power) && !"stopped".equals(vm.power)) {
                    throw ArmError.of(409, "OperationNotAllowed", "Operation 'generalize' is not allowed on VM '"
                            + vm.name + "' since the VM is running. Please power off explicitly in case you"
                            + " shut down the VM from inside the guest operating system.");
                }
                vm.generalized = true;
                return new Response(200, null, new byte[0]);
            }
            case "start":
            case "restart":
                if ("deallocated".equals(vm.power)) {
                    checkQuota(vm.subscription, vm.location, vm.size.cores(), vm.size.cores(), vm.size.family());
                }
                return power(request, vm, "running", config.delays().create(), v);
            case "poweroff":
                return power(request, vm, "stopped", config.delays().deallocate(), v);
            default:
                return power(request, vm, "deallocated", config.delays().deallocate(), v);
        }
    }

    private Response power(Request request, Res vm, String target, Duration delay, String v) {
        Op op = world.startOperation(vm.subscription, vm.location, "Microsoft.Compute", delay, null);
        if (delay.isZero()) {
            vm.power = target;
            world.notePeak(vm.subscription, vm.location);
        } else {
            // The cores stay in use until the VM is deallocated, as Compute counts them.
            vm.pendingPower = target;
            vm.powerAt = op.doneNanos();
        }
        return operations.accepted(operations.location(request, vm.subscription, op, v),
                operations.asyncStatus(request, vm.subscription, vm, op, v));
    }

    Response usages(String sub, String region) {
        ArrayNode value = JSON.createArrayNode();
        usage(value, "cores", "Total Regional vCPUs", world.coresInUse(sub, region, null),
                config.coresLimit(sub, region));
        usage(value, "virtualMachines", "Virtual Machines", world.vmCount(sub, region), 25_000);
        usage(value, "availabilitySets", "Availability Sets", 0, 2_500);
        for (String family : VmSizes.families()) {
            usage(value, family, VmSizes.localizedFamily(family), world.coresInUse(sub, region, family),
                    config.familyLimit(sub, region, family));
        }
        return ok(JSON.createObjectNode().set("value", value));
    }

    private static void usage(ArrayNode value, String name, String localized, long current, long limit) {
        ObjectNode u = value.addObject();
        u.put("unit", "Count");
        u.put("currentValue", current);
        u.put("limit", limit);
        u.putObject("name").put("value", name).put("localizedValue", localized);
    }

    Response sizes() {
        ArrayNode value = JSON.createArrayNode();
        for (VmSizes.Size s : VmSizes.all()) {
            value.addObject().put("name", s.name()).put("numberOfCores", s.cores()).put("osDiskSizeInMB", 1_047_552)
                    .put("resourceDiskSizeInMB", s.cores() * 8192).put("memoryInMB", s.memoryMb())
                    .put("maxDataDiskCount", Math.max(2, s.cores() * 2));
        }
        return ok(JSON.createObjectNode().set("value", value));
    }
}
