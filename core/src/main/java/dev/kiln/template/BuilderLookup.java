package dev.kiln.template;

/**
 * What {@link BuilderCatalog#lookup(String)} knows of a builder type: one Kiln runs, a real packer
 * builder Kiln does not run, or a type packer does not have (with the likely typo).
 */
public sealed interface BuilderLookup {

    /** The type looked up. */
    String type();

    /** A builder Kiln runs on one of its providers. */
    record Supported(BuilderProfile profile) implements BuilderLookup {
        @Override
        public String type() {
            return profile.type();
        }
    }

    /**
     * A real packer builder that no Kiln provider runs.
     *
     * @param buildsOn what it builds on, e.g. {@code a QEMU hypervisor on the machine running packer}
     */
    record Unsupported(String type, String buildsOn) implements BuilderLookup {
    }

    /**
     * A type packer has no builder for.
     *
     * @param didYouMean the known type closest to it, or null
     */
    record Unknown(String type, String didYouMean) implements BuilderLookup {
    }
}
