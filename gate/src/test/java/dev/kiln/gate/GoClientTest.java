package dev.kiln.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What packer's Go SDKs do, done by a tiny Go program: {@code HTTPS_PROXY} and
 * {@code SSL_CERT_FILE} from {@link Gate#env}, {@code http.DefaultTransport}. Proves Go accepts the
 * gate's leaves and CA bundle, sends the token on {@code CONNECT} without being asked, offers h2
 * and settles for HTTP/1.1. Skipped where Go is not installed ({@code apt-get install golang-go}).
 */
class GoClientTest {

    private static final String PROGRAM = """
            package main

            import (
            	"fmt"
            	"io"
            	"net/http"
            	"net/url"
            	"os"
            	"strings"
            )

            func main() {
            	req, _ := http.NewRequest("GET", "https://management.azure.com/subscriptions/s1?api-version=2018-02-01", nil)
            	req.Header.Set("Authorization", "Bearer go-secret")
            	show(http.DefaultClient.Do(req))
            	form := url.Values{"Action": {"DescribeImages"}, "Version": {"2016-11-15"}}
            	show(http.Post("https://ec2.us-east-1.amazonaws.com/", "application/x-www-form-urlencoded",
            		strings.NewReader(form.Encode())))
            }

            func show(resp *http.Response, err error) {
            	if err != nil {
            		fmt.Println("error:", err)
            		os.Exit(1)
            	}
            	defer resp.Body.Close()
            	body, _ := io.ReadAll(resp.Body)
            	fmt.Printf("%d %s %s\\n", resp.StatusCode, resp.Proto, body)
            }
            """;

    @TempDir
    Path dir;

    @Test
    void a_go_client_with_the_gates_environment_trusts_its_leaves_and_authenticates_on_connect() throws Exception {
        Optional<Path> go = go();
        if (go.isEmpty() && Boolean.getBoolean("kiln.requireTools")) {
            fail("go is not installed (apt-get install golang-go); kiln.requireTools=true makes this a failure");
        }
        assumeTrue(go.isPresent(), "go is not installed (apt-get install golang-go); the Go client check is skipped");
        Path program = dir.resolve("client.go");
        Files.writeString(program, PROGRAM);
        Path binary = dir.resolve("client");
        run(List.of(go.get().toString(), "build", "-o", binary.toString(), program.toString()), Map.of(
                "GOCACHE", dir.resolve("gocache").toString(), "GOPATH", dir.resolve("gopath").toString(),
                "GOPROXY", "off", "GO111MODULE", "off", "HOME", dir.toString()));

        List<GateRequest> metered = new CopyOnWriteArrayList<>();
        List<GateEvent> events = new CopyOnWriteArrayList<>();
        try (Fixtures.Upstream upstream = new Fixtures.Upstream();
             Gate gate = Gate.builder()
                     .intercept(Interception.hosts("management.azure.com", "ec2.*.amazonaws.com"))
                     .router(Router.all(upstream.uri()))
                     .meter(new Meter() {
                         @Override
                         public void before(GateRequest request) {
                             metered.add(request);
                         }
                     })
                     .listener(events::add)
                     .bundleDirectory(dir.resolve("run"))
                     .start()) {
            GateClient build = gate.newClient("go-build");

            String output = run(List.of(binary.toString()), gate.env(build));

            assertThat(output.lines()).containsExactly(
                    "200 HTTP/1.1 GET management.azure.com /subscriptions/s1?api-version=2018-02-01 ",
                    "200 HTTP/1.1 POST ec2.us-east-1.amazonaws.com / Action=DescribeImages&Version=2016-11-15");
            assertThat(metered).extracting(r -> r.client().name(), GateRequest::host, GateRequest::method)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("go-build", "management.azure.com", "GET"),
                            org.assertj.core.groups.Tuple.tuple("go-build", "ec2.us-east-1.amazonaws.com", "POST"));
            assertThat(metered.get(0).headers().first("Authorization")).hasValue("Bearer go-secret");
            assertThat(metered.get(1).body().asString(StandardCharsets.UTF_8))
                    .isEqualTo("Action=DescribeImages&Version=2016-11-15");
            assertThat(upstream.seen.get(0).headers()).contains("Authorization=[Bearer go-secret]");
            // Go put the token in Proxy-Authorization of its first CONNECT: nothing was refused.
            assertThat(events).isEmpty();
        }
    }

    private static Optional<Path> go() {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/lib/go/bin")
                .split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "go");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static String run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
        assertThat(process.exitValue()).as("%s failed:%n%s", command, output).isZero();
        return output;
    }
}
