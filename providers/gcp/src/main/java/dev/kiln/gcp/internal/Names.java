package dev.kiln.gcp.internal;

import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.compute.v1.GetImageRequest;
import dev.kiln.naming.NameRule;
import dev.kiln.naming.NameRules;
import dev.kiln.plan.Target;

/** GCE image names: lowercase RFC 1035 labels, unique per project whatever the region; and whether one is taken. */
public final class Names {

    private final ComputeClients clients;
    private final Calls calls;

    public Names(ComputeClients clients, Calls calls) {
        this.clients = clients;
        this.calls = calls;
    }

    public NameRule rule() {
        return NameRules.gcp();
    }

    public boolean exists(Target target, String name) {
        try {
            calls.call(target, "read", "images.get", () -> clients.images().get(GetImageRequest.newBuilder()
                    .setProject(target.account()).setImage(name).build()));
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }
}
