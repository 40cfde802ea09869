package dev.kiln.emulators.vsphere;

import dev.kiln.emulators.vsphere.Inventory.Vm;
import dev.kiln.emulators.vsphere.VimObjects.View;
import dev.kiln.emulators.vsphere.VimProtocol.VimExchange;
import java.util.ArrayList;
import java.util.List;

/**
 * Finding things without a property collector walk: container views ({@code CreateContainerView},
 * {@code DestroyView}), and the search index ({@code FindByInventoryPath}, {@code FindChild},
 * {@code FindByUuid}), which answer nothing (not a fault) when nothing matches.
 */
final class VimSearch {

    private final VimObjects objects;
    private final Inventory inv;

    VimSearch(VimObjects objects) {
        this.objects = objects;
        this.inv = objects.inv;
    }

    List<Node> createContainerView(VimExchange x) {
        MoRef container = VimProtocol.require(x.arg("container"), "container").asRef();
        List<String> types = new ArrayList<>();
        x.method.all("type").forEach(t -> types.add(t.text.strip()));
        boolean recursive = x.method.bool("recursive", false);
        return inv.locked(() -> {
            objects.require(container);
            String id = "session[" + x.session + "]" + inv.uuid();
            objects.views.put(id, new View(id, x.session, container, List.copyOf(types), recursive));
            return List.of(Node.ref("returnval", new MoRef("ContainerView", id)).untyped());
        });
    }

    List<Node> destroyView(VimExchange x) {
        return inv.locked(() -> {
            if (objects.views.remove(x.self.value()) == null) {
                throw VimFault.notFound(x.self);
            }
            return List.of();
        });
    }

    List<Node> findByInventoryPath(VimExchange x) {
        String path = x.text("inventoryPath");
        return inv.locked(() -> {
            MoRef at = objects.root();
            for (String part : path == null ? new String[0] : path.split("/")) {
                if (part.isEmpty()) {
                    continue;
                }
                at = child(at, part);
                if (at == null) {
                    return List.of();
                }
            }
            return List.of(Node.ref("returnval", at).untyped());
        });
    }

    List<Node> findChild(VimExchange x) {
        MoRef entity = VimProtocol.require(x.arg("entity"), "entity").asRef();
        String name = x.text("name");
        return inv.locked(() -> {
            objects.require(entity);
            MoRef found = name == null ? null : child(entity, name);
            return found == null ? List.<Node>of() : List.of(Node.ref("returnval", found).untyped());
        });
    }

    List<Node> findByUuid(VimExchange x) {
        String uuid = x.text("uuid");
        boolean instance = x.method.bool("instanceUuid", false);
        return inv.locked(() -> {
            for (Vm vm : inv.vms.values()) {
                if (uuid != null && uuid.equalsIgnoreCase(instance ? vm.instanceUuid : vm.biosUuid)) {
                    return List.of(Node.ref("returnval", objects.ref(vm)).untyped());
                }
            }
            return List.<Node>of();
        });
    }

    /** The entity called {@code name} directly in {@code parent}, or null. */
    private MoRef child(MoRef parent, String name) {
        for (MoRef c : objects.contents(parent)) {
            Node n = objects.property(c, "name");
            if (n != null && n.text.equals(name)) {
                return c;
            }
        }
        return null;
    }
}
