package dev.kiln.internal.packer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One reading of /proc finds real processes' parents, groups and children, whatever their names. */
class ProcTableTest {

    @TempDir
    Path dir;

    @Test
    void finds_a_started_group_its_children_and_their_parents() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc (Linux)");
        // Given a shell in a group of its own that has started a child, and said so
        List<String> argv = ProcessTree.inOwnGroup(List.of("sh", "-c", "sleep 60 & echo started; wait"));
        Process shell = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("started");

            // When /proc is read once
            ProcTable table = ProcTable.read();

            // Then the shell is this JVM's child and leads its group, and its child is in that group too
            assertThat(table).isNotNull();
            long self = ProcessHandle.current().pid();
            ProcTable.Entry sh = table.get(shell.pid());
            assertThat(sh.parent()).isEqualTo(self);
            assertThat(sh.zombie()).isFalse();
            List<Long> children = table.descendants(shell.pid()).stream().map(ProcTable.Entry::pid).toList();
            assertThat(children).hasSize(1);
            assertThat(table.get(children.get(0)).parent()).isEqualTo(shell.pid());
            if (argv.get(0).endsWith("setsid")) {
                assertThat(table.group(shell.pid()).stream().map(ProcTable.Entry::pid))
                        .containsExactlyInAnyOrder(shell.pid(), children.get(0));
            }
            assertThat(table.descendants(self).stream().map(ProcTable.Entry::pid))
                    .contains(shell.pid(), children.get(0));
            assertThat(table.get(self).start()).isLessThanOrEqualTo(sh.start());
        } finally {
            ProcessTree.of(shell, argv).kill();
        }
    }

    @Test
    void reads_a_process_whose_name_holds_spaces_and_parentheses() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc (Linux)");
        // Given a script named like the stat file's own punctuation, running and waiting on its input
        Path script = Files.writeString(dir.resolve("x) 1 2 (y"), "#!/bin/sh\necho ready\nread line\n");
        script.toFile().setExecutable(true);
        Process odd = new ProcessBuilder(script.toString()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(odd.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("ready");
            assertThat(Files.readString(Path.of("/proc/" + odd.pid() + "/comm")).strip()).isEqualTo("x) 1 2 (y");

            // When /proc is read
            ProcTable.Entry entry = ProcTable.read().get(odd.pid());

            // Then its parent is still read past the name
            assertThat(entry).isNotNull();
            assertThat(entry.parent()).isEqualTo(ProcessHandle.current().pid());
            assertThat(entry.pid()).isEqualTo(odd.pid());
        } finally {
            odd.destroyForcibly().waitFor();
        }
    }
}
