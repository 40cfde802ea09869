package dev.kiln.vsphere.internal;

import dev.kiln.naming.NameRule;
import dev.kiln.naming.NameRules;
import dev.kiln.plan.Target;
import java.util.Optional;

/**
 * vSphere's name rule, unique per vCenter, and whether a VM, template or content library item has
 * a name already. Templates are only visible through vim25: the REST VM list leaves them out.
 */
public final class Names {

    private final Vcenters vcenters;

    public Names(Vcenters vcenters) {
        this.vcenters = vcenters;
    }

    /** {@link NameRules#vsphere()}, whose names must be unique across the whole vCenter, not per host. */
    public NameRule rule() {
        NameRule rule = NameRules.vsphere();
        return new NameRule() {
            @Override
            public Optional<String> check(String name) {
                return rule.check(name);
            }

            @Override
            public String uniquenessScope(Target target) {
                return target.accountKey();
            }

            @Override
            public String normalize(String name) {
                return rule.normalize(name);
            }
        };
    }

    public boolean exists(Target target, String name) {
        return !vcenters.vmsNamed(target, name).isEmpty() || vcenters.call(target, Call.itemsNamed(name)).size() > 0;
    }
}
