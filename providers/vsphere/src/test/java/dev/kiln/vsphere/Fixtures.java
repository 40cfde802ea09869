package dev.kiln.vsphere;

import dev.kiln.emulators.vsphere.VcenterEmulator;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** Emulators, providers, targets and builds the vSphere tests share. */
final class Fixtures {

    static final String ACCOUNT = "vcenter.kiln.test";
    static final char[] TRUST_PASSWORD = "changeit".toCharArray();

    private Fixtures() {
    }

    /** An emulator whose clones, boots, shutdowns and installs take 50 ms, for tests that are not about time. */
    static VcenterEmulator.Builder quickVcenter() {
        Duration quick = Duration.ofMillis(50);
        return VcenterEmulator.builder().cloneTime(quick).templateTime(quick).bootTime(quick).shutdownTime(quick)
                .installTime(quick);
    }

    /**
     * A provider of {@code vcenter} as account {@link #ACCOUNT}, trusting the certificate the
     * emulator made (written to a trust store, as an operator trusts a vCenter's VMCA).
     */
    static VsphereProvider.Builder provider(VcenterEmulator vcenter) {
        VsphereProvider.Builder b = VsphereProvider.builder().vcenter(ACCOUNT, vcenter.endpoint())
                .credentials(VcenterEmulator.DEFAULT_USER, VcenterEmulator.DEFAULT_PASSWORD::toCharArray)
                .datastore(VcenterEmulator.DEFAULT_DATASTORE);
        return vcenter.certificate() == null ? b : b.trustStore(trustStore(vcenter), TRUST_PASSWORD.clone());
    }

    static Path trustStore(VcenterEmulator vcenter) {
        try {
            Path file = Files.createTempFile("kiln-vcenter-", ".p12");
            file.toFile().deleteOnExit();
            vcenter.writeTrustStore(file, TRUST_PASSWORD.clone());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Target target(String host, Map<String, String> options) {
        return new Target(VsphereProvider.ID, ACCOUNT, host, options);
    }

    static Target target(String host) {
        return target(host, Map.of("datastore", VcenterEmulator.DEFAULT_DATASTORE, "folder",
                VcenterEmulator.DEFAULT_FOLDER));
    }

    static BuildJob job(Target target, String imageName, String buildId) {
        return job(target, imageName, buildId, Path.of("/templates/base.json"), "vsphere-clone", null);
    }

    static BuildJob job(Target target, String imageName, String buildId, Path template, String builder, String only) {
        ImageSpec.Builder image = ImageSpec.builder("base", template, builder).diskGb(16);
        if (only != null) {
            image.only(only);
        }
        return new BuildJob(JobId.of("base", target, "dev"), image.build(), target, "dev", imageName, buildId,
                Set.of(), Demand.of(2, 1, 16, 0));
    }
}
