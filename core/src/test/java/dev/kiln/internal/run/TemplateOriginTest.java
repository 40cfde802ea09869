package dev.kiln.internal.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16, item 6: the journal's record of a template, against repositories real git made. */
class TemplateOriginTest {

    @TempDir
    Path dir;

    @Test
    void a_templates_hash_is_its_contents() throws Exception {
        Path t = Files.writeString(dir.resolve("base.json"), "{\"builders\": []}\n");
        assertThat(TemplateOrigin.sha256(t)).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(t))));
        Path folder = Files.createDirectories(dir.resolve("app"));
        Files.writeString(folder.resolve("a.pkr.hcl"), "source \"null\" \"a\" {}\n");
        String before = TemplateOrigin.sha256(folder);
        Files.writeString(folder.resolve("README.md"), "not part of the template");
        assertThat(TemplateOrigin.sha256(folder)).isEqualTo(before);
        Files.writeString(folder.resolve("b.pkr.hcl"), "build { sources = [\"source.null.a\"] }\n");
        assertThat(TemplateOrigin.sha256(folder)).isNotEqualTo(before);
    }

    @Test
    void the_commit_is_read_from_a_repository_its_worktrees_and_packed_refs() throws Exception {
        // Given a repository with a template in a subdirectory, committed
        git(dir, "init", "-q", "-b", "main");
        Path t = Files.writeString(Files.createDirectories(dir.resolve("packer/base")).resolve("base.json"), "{}");
        git(dir, "add", ".");
        git(dir, "-c", "user.name=k", "-c", "user.email=k@example.com", "commit", "-q", "-m", "base");
        String head = git(dir, "rev-parse", "HEAD");

        // Then the commit is found from the template, as a loose ref, as a packed one and in a worktree
        assertThat(TemplateOrigin.gitCommit(t)).hasValue(head);
        git(dir, "pack-refs", "--all");
        assertThat(TemplateOrigin.gitCommit(t)).hasValue(head);
        git(dir, "worktree", "add", "-q", dir.resolve("wt").toString(), "-b", "other");
        assertThat(TemplateOrigin.gitCommit(dir.resolve("wt/packer/base/base.json"))).hasValue(head);
        git(dir, "checkout", "-q", "--detach");
        assertThat(TemplateOrigin.gitCommit(t)).hasValue(head);
        // And outside a repository there is none
        Path outside = Files.writeString(Files.createTempFile("kiln-template", ".json"), "{}");
        try {
            assertThat(TemplateOrigin.gitCommit(outside)).isEmpty();
        } finally {
            Files.delete(outside);
        }
    }

    private static String git(Path dir, String... args) throws IOException, InterruptedException {
        // git is how the repository was checked out: there is one wherever this test runs
        List<String> argv = new ArrayList<>(List.of("git", "-C", dir.toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).as("git %s: %s", List.of(args), out).isZero();
        return out;
    }
}
