package dev.kiln.azure.internal;

import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.compute.fluent.models.GalleryImageVersionInner;
import com.azure.resourcemanager.compute.fluent.models.ImageInner;
import dev.kiln.naming.NameRule;
import dev.kiln.naming.NameRules;
import dev.kiln.plan.Target;
import java.util.Optional;

/**
 * Azure's image names, unique in the target's resource group (or among its gallery image's
 * versions), and the image or gallery version a name stands for.
 */
public final class Names {

    private final Arm arm;

    public Names(Arm arm) {
        this.arm = arm;
    }

    public NameRule rule() {
        return NameRules.azure();
    }

    public boolean exists(Target target, String name) {
        ArmSession session = arm.session();
        AzureTarget t = AzureTarget.of(target);
        return t.usesGallery() ? galleryVersion(session, target, t, name).isPresent()
                : image(session, target, t, name).isPresent();
    }

    Optional<ImageInner> image(ArmSession session, Target target, AzureTarget t, String name) {
        try {
            return Optional.ofNullable(session.compute(t).getImages().getByResourceGroupWithResponse(
                    t.resourceGroup(), name, null, session.context(target)).getValue());
        } catch (ManagementException e) {
            if (ArmSession.notFound(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    Optional<GalleryImageVersionInner> galleryVersion(ArmSession session, Target target, AzureTarget t,
            String version) {
        try {
            return Optional.ofNullable(session.compute(t).getGalleryImageVersions().getWithResponse(t.resourceGroup(),
                    t.gallery(), t.galleryImage(), version, null, session.context(target)).getValue());
        } catch (ManagementException e) {
            if (ArmSession.notFound(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
