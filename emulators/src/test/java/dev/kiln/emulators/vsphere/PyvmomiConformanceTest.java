package dev.kiln.emulators.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.emulators.ApiCall;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vim25 client nobody here wrote passes against the vCenter emulator: pyvmomi 6.7 (Debian's
 * python3-pyvmomi, which {@code bin/test} installs), over HTTPS with the emulator's own certificate.
 * It negotiates its API version, logs in (and is refused with a wrong password), lists VMs through
 * a container view one page at a time, finds by inventory path and by child name, clones, reads the
 * clone's whole configuration, marks it as a template, is refused powering the template on,
 * destroys it and logs out; pyvmomi rejects any element its schema does not know. Skipped without
 * python3-pyvmomi, failed without it under {@code -Dkiln.requireTools=true}.
 */
class PyvmomiConformanceTest {

    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path dir;

    @Test
    void pyvmomi_logs_in_lists_finds_clones_templates_and_destroys_against_the_emulator() throws Exception {
        requirePyvmomi();
        Path script = dir.resolve("pyvmomi_conformance.py");
        try (InputStream in = getClass().getResourceAsStream("pyvmomi_conformance.py")) {
            Files.copy(in, script);
        }
        try (VcenterEmulator vcenter = VcenterEmulator.builder().cloneTime(Duration.ofMillis(500))
                .vm(VcenterEmulator.DEFAULT_SOURCE_VM, "esx-01", VcenterEmulator.DEFAULT_DATASTORE, null, 16)
                .vm("web-01", "esx-02", VcenterEmulator.DEFAULT_DATASTORE, VcenterEmulator.DEFAULT_FOLDER, 8).start()) {
            ProcessBuilder pb = new ProcessBuilder(PYTHON.toString(), script.toString(), "127.0.0.1",
                    Integer.toString(vcenter.port()), VcenterEmulator.DEFAULT_DATACENTER,
                    VcenterEmulator.DEFAULT_SOURCE_VM, VcenterEmulator.DEFAULT_FOLDER).redirectErrorStream(true);
            pb.environment().put("VSPHERE_USER", VcenterEmulator.DEFAULT_USER);
            pb.environment().put("VSPHERE_PASSWORD", VcenterEmulator.DEFAULT_PASSWORD);
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();

            assertThat(p.exitValue()).as("pyvmomi said:%n%s", output).isZero();
            assertThat(output).contains("ok a wrong password is refused with vim.fault.InvalidLogin",
                    "ok FindByInventoryPath finds Datacenter/vm/kiln-source-template",
                    "ok MarkAsTemplate makes a template",
                    "ok a template cannot be powered on: vmodl.fault.NotSupported",
                    "ok a destroyed VM is vmodl.fault.ManagedObjectNotFound", "done").doesNotContain("FAILED");
            assertThat(vcenter.calls()).extracting(ApiCall::action).contains("RetrievePropertiesEx",
                    "ContinueRetrievePropertiesEx", "CreateContainerView", "FindByInventoryPath", "FindChild",
                    "CloneVM_Task", "WaitForUpdates", "MarkAsTemplate", "Destroy_Task", "Logout");
            // the one method it lacks on purpose, and nothing else
            assertThat(vcenter.unknownOperations()).containsExactly("POST /sdk AcquireCloneTicket");
            assertThat(output).contains("ok the container view lists ['kiln-source-template', 'web-01'] over 2 page(s)");
            assertThat(vcenter.vms()).extracting(VmSummary::name).containsExactly(VcenterEmulator.DEFAULT_SOURCE_VM,
                    "web-01");
            assertThat(vcenter.openSessions()).isZero();
        }
    }

    private static void requirePyvmomi() throws IOException, InterruptedException {
        String why = null;
        if (!Files.isExecutable(PYTHON)) {
            why = "/usr/bin/python3 is not installed";
        } else {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import pyVmomi").redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                why = "pyvmomi is not installed for /usr/bin/python3";
            }
        }
        if (why == null) {
            return;
        }
        why += "; install Debian's python3-pyvmomi (apt-get install python3-pyvmomi, or bin/require-tools)";
        if (Boolean.getBoolean("kiln.requireTools")) {
            Assertions.fail(why + " -- kiln.requireTools=true makes this a failure");
        }
        Assumptions.abort(why + "; skipped");
    }
}
