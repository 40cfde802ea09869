package dev.kiln.vsphere;

import dev.kiln.emulators.vsphere.CloneBuildStandIn;
import dev.kiln.emulators.vsphere.VcenterEmulator;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.ImageSpec;
import dev.kiln.plan.JobId;
import dev.kiln.plan.Target;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Emulators, providers, targets and builds the vSphere tests share. */
final class Fixtures {

    static final String ACCOUNT = "vcenter.kiln.test";
    static final Map<String, String> STAND_IN_ENV = Map.of(CloneBuildStandIn.USER_VARIABLE,
            VcenterEmulator.DEFAULT_USER, CloneBuildStandIn.PASSWORD_VARIABLE, VcenterEmulator.DEFAULT_PASSWORD);

    private Fixtures() {
    }

    /** An emulator whose clones, boots and shutdowns take 50 ms, for tests that are not about time. */
    static VcenterEmulator.Builder quickVcenter() {
        Duration quick = Duration.ofMillis(50);
        return VcenterEmulator.builder().cloneTime(quick).templateTime(quick).bootTime(quick).shutdownTime(quick);
    }

    static VsphereProvider.Builder provider(VcenterEmulator vcenter) {
        return VsphereProvider.builder().vcenter(ACCOUNT, vcenter.endpoint())
                .credentials(VcenterEmulator.DEFAULT_USER, VcenterEmulator.DEFAULT_PASSWORD::toCharArray)
                .datastore(VcenterEmulator.DEFAULT_DATASTORE);
    }

    static Target target(String host, Map<String, String> options) {
        return new Target(VsphereProvider.ID, ACCOUNT, host, options);
    }

    static Target target(String host) {
        return target(host, Map.of("datastore", VcenterEmulator.DEFAULT_DATASTORE, "folder",
                VcenterEmulator.DEFAULT_FOLDER));
    }

    static BuildJob job(Target target, String imageName, String buildId) {
        ImageSpec image = ImageSpec.builder("base", Path.of("/templates/base.json"), "vsphere-clone").diskGb(16)
                .build();
        return new BuildJob(JobId.of("base", target, "dev"), image, target, "dev", imageName, buildId, Set.of(),
                Demand.of(2, 1, 16, 0));
    }

    /** Runs one stand-in build in this process against {@code vcenter}; returns its output, failing on a bad exit. */
    static String standIn(VcenterEmulator vcenter, int expectedExit, String... args) {
        List<String> all = new ArrayList<>(List.of("--endpoint", vcenter.endpoint().toString(), "--poll", "20ms"));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = CloneBuildStandIn.run(all.toArray(String[]::new), STAND_IN_ENV, print, print);
        String text = out.toString(StandardCharsets.UTF_8);
        if (exit != expectedExit) {
            throw new AssertionError("stand-in exited " + exit + ", expected " + expectedExit + ":\n" + text);
        }
        return text;
    }

    /** A finished build on {@code host}: a powered-off VM (or, with a library, a library item) named {@code name}. */
    static void build(VcenterEmulator vcenter, String host, String name, String buildId, String... extra) {
        List<String> args = new ArrayList<>(List.of("--name", name, "--build-id", buildId, "--host", host,
                "--datastore", VcenterEmulator.DEFAULT_DATASTORE, "--folder", VcenterEmulator.DEFAULT_FOLDER));
        args.addAll(List.of(extra));
        standIn(vcenter, 0, args.toArray(String[]::new));
    }
}
