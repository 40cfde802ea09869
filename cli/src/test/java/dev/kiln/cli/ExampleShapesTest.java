package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 16, item 9: every template shape under examples/plans/shapes, with its plan, passes
 * {@code kiln plan --offline} (Kiln reads the template, connects every build, and packer 1.6.6
 * validates each build with its own variables).
 */
class ExampleShapesTest {

    static List<Path> shapes() throws IOException {
        try (Stream<Path> files = Files.list(Cli.repository().resolve("examples/plans/shapes"))) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void each_shape_passes_plan_offline(Path plan) {
        Tools.packer();

        // what the plans' comments ask for (the vSphere one reads its credentials from the environment)
        Cli.Result r = Cli.run(java.util.Map.of("VCENTER_USERNAME", "packer@vsphere.local", "VCENTER_PASSWORD",
                "not-a-real-password"), "plan", "--offline", plan.toString());

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).as("%s", r).contains("nothing refused").contains("Templates (how each image's builds get");
    }
}
