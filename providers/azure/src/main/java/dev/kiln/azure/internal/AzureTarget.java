package dev.kiln.azure.internal;

import dev.kiln.KilnException;
import dev.kiln.plan.Target;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What an Azure target means: the subscription is {@link Target#account()}, the region is
 * {@link Target#region()}, and the options name the resource group images live in and, optionally,
 * the Compute gallery and image definition whose versions Kiln builds.
 *
 * @param subscription  subscription id
 * @param region        region name, e.g. {@code westeurope}
 * @param resourceGroup option {@code resource_group}: where managed images (and the gallery) live
 * @param gallery       option {@code gallery}, or null
 * @param galleryImage  option {@code gallery_image}, or null; required with {@code gallery}
 */
public record AzureTarget(String subscription, String region, String resourceGroup, String gallery,
        String galleryImage) {

    public static final String RESOURCE_GROUP = "resource_group";
    public static final String GALLERY = "gallery";
    public static final String GALLERY_IMAGE = "gallery_image";

    private static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}");
    private static final Pattern GROUP = Pattern.compile("[-\\w._()]{1,90}");

    /** Reads and checks a target; the message names the option and what is allowed. */
    public static AzureTarget of(Target target) {
        if (!GUID.matcher(target.account()).matches()) {
            throw new KilnException("azure target " + target.key() + ": the account must be a subscription id (a"
                    + " GUID such as 2f1c7b4e-8a53-4d6e-9b0f-1c2d3e4f5a6b), got '" + target.account() + "'");
        }
        String group = target.option(RESOURCE_GROUP, null);
        if (group == null || group.isBlank()) {
            throw new KilnException("azure target " + target.key() + ": option '" + RESOURCE_GROUP + "' is required:"
                    + " the resource group images are created in (and checked for name collisions)");
        }
        if (!GROUP.matcher(group).matches() || group.endsWith(".")) {
            throw new KilnException("azure target " + target.key() + ": option '" + RESOURCE_GROUP + "' must be 1-90"
                    + " letters, digits, '-', '_', '.', '(' or ')', not ending in '.'; got '" + group + "'");
        }
        String gallery = blankToNull(target.option(GALLERY, null));
        String image = blankToNull(target.option(GALLERY_IMAGE, null));
        if (gallery != null && image == null || gallery == null && image != null) {
            throw new KilnException("azure target " + target.key() + ": options '" + GALLERY + "' and '"
                    + GALLERY_IMAGE + "' go together (the gallery and the image definition whose versions are"
                    + " built); got " + GALLERY + "=" + gallery + ", " + GALLERY_IMAGE + "=" + image);
        }
        return new AzureTarget(target.account().toLowerCase(Locale.ROOT), target.region(), group, gallery, image);
    }

    public boolean usesGallery() {
        return gallery != null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
