package dev.kiln.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host patterns, routes, the user's proxy and the builder: bad input is named with what is allowed. */
class GateSettingsTest {

    @TempDir
    Path dir;

    @Test
    void a_wildcard_stands_for_exactly_one_label() {
        Interception hosts = Interception.hosts("management.azure.com", "*.vault.azure.net", "ec2.*.amazonaws.com");

        assertThat(hosts.intercepts("management.azure.com")).isTrue();
        assertThat(hosts.intercepts("kiln.vault.azure.net")).isTrue();
        assertThat(hosts.intercepts("ec2.us-east-1.amazonaws.com")).isTrue();
        assertThat(hosts.intercepts("vault.azure.net")).isFalse();
        assertThat(hosts.intercepts("a.b.vault.azure.net")).isFalse();
        assertThat(hosts.intercepts("ec2.amazonaws.com")).isFalse();
        assertThat(hosts.intercepts("sts.us-east-1.amazonaws.com")).isFalse();
        assertThat(hosts.intercepts("evil-management.azure.com")).isFalse();
    }

    @Test
    void patterns_are_compared_without_case_and_a_trailing_dot() {
        assertThat(Interception.hosts("Management.Azure.COM.").intercepts("management.azure.com")).isTrue();
    }

    @Test
    void a_pattern_that_is_not_a_host_is_refused_by_name() {
        assertThatThrownBy(() -> Interception.hosts("https://management.azure.com"))
                .isInstanceOf(GateException.class)
                .hasMessage("Interception.hosts: host pattern 'https://management.azure.com' is not allowed: use a host"
                        + " name (management.azure.com) or labels where * stands for exactly one label"
                        + " (*.vault.azure.net, ec2.*.amazonaws.com); no ports, schemes or paths");
        assertThatThrownBy(() -> Interception.hosts("*.*")).hasMessage("Interception.hosts: host pattern '*.*'"
                + " matches any host; name at least one label (*.vault.azure.net)");
        assertThatThrownBy(() -> Interception.hosts("ec2*.amazonaws.com")).isInstanceOf(GateException.class);
    }

    @Test
    void a_route_must_be_an_http_or_https_uri_with_a_host() {
        assertThatThrownBy(() -> Router.to(Map.of("management.azure.com", URI.create("ftp://127.0.0.1:21"))))
                .isInstanceOf(GateException.class)
                .hasMessage("Router.to: the route for 'management.azure.com' is 'ftp://127.0.0.1:21' with scheme 'ftp';"
                        + " give http://HOST:PORT or https://HOST:PORT");
        Router router = Router.to(Map.of("*.vault.azure.net", URI.create("http://127.0.0.1:9000/vault")));
        assertThat(router.route("kiln.vault.azure.net")).hasValue(URI.create("http://127.0.0.1:9000/vault"));
        assertThat(router.route("management.azure.com")).isEmpty();
    }

    @Test
    void the_users_proxy_is_read_from_the_environment_as_go_reads_it() {
        UpstreamProxy proxy = UpstreamProxy.fromEnvironment(Map.of("https_proxy", "corp-proxy:3128",
                "NO_PROXY", "internal.example.com,.corp.example,10.1.2.3,vcenter:8443")).orElseThrow();

        assertThat(proxy).hasToString("http://corp-proxy:3128");
        assertThat(proxy.appliesTo("management.azure.com", 443)).isTrue();
        assertThat(proxy.appliesTo("internal.example.com", 443)).isFalse();
        assertThat(proxy.appliesTo("api.internal.example.com", 443)).isFalse();
        assertThat(proxy.appliesTo("corp.example", 443)).isTrue();
        assertThat(proxy.appliesTo("vc.corp.example", 443)).isFalse();
        assertThat(proxy.appliesTo("10.1.2.3", 443)).isFalse();
        assertThat(proxy.appliesTo("vcenter", 443)).isTrue();
        assertThat(proxy.appliesTo("vcenter", 8443)).isFalse();
        assertThat(UpstreamProxy.fromEnvironment(Map.of("HTTP_PROXY", "http://only-http:80"))).isEmpty();
    }

    @Test
    void the_users_proxy_credentials_become_basic_auth_and_never_show() {
        UpstreamProxy proxy = UpstreamProxy.of("http://me%40corp:p%3Ass@proxy.corp:8080");

        assertThat(proxy.authorization()).hasValue("Basic bWVAY29ycDpwOnNz");
        assertThat(proxy).hasToString("http://proxy.corp:8080");
        assertThatThrownBy(() -> UpstreamProxy.of("https://me:pw@proxy.corp:8443"))
                .hasMessage("upstream proxy 'https://***@proxy.corp:8443' is not usable: its scheme is https; the gate"
                        + " speaks to proxies in plain http:// only; give http://[user:password@]host:port");
    }

    @Test
    void a_gate_without_a_bundle_directory_does_not_start() {
        assertThatThrownBy(() -> Gate.builder().start()).isInstanceOf(GateException.class)
                .hasMessage("Gate.Builder.bundleDirectory is not set: give the directory where the CA bundle for"
                        + " packer's SSL_CERT_FILE is written (a run's directory)");
    }

    @Test
    void settings_out_of_range_are_named() {
        assertThatThrownBy(() -> Gate.builder().bundleDirectory(dir).threads(1).start())
                .hasMessage("Gate.Builder.threads is 1; give at least 4 (one listens, each connection takes one,"
                        + " each tunnel two)");
        assertThatThrownBy(() -> Gate.builder().bundleDirectory(dir).noProxy("a.example,b.example").start())
                .hasMessage("Gate.Builder.noProxy entry 'a.example,b.example' is not allowed: give one host, domain"
                        + " (.example.com) or IP per entry, without commas or spaces");
        assertThatThrownBy(() -> Gate.builder().bundleDirectory(dir).idleTimeout(java.time.Duration.ZERO).start())
                .hasMessage("Gate.Builder.idleTimeout is PT0S; give a positive duration");
    }

    @Test
    void extra_no_proxy_hosts_follow_the_loopback_names() {
        try (Gate gate = Gate.builder().bundleDirectory(dir).noProxy("vcenter.lab", "10.0.0.5").start()) {
            assertThat(gate.env(gate.newClient("b")))
                    .containsEntry("NO_PROXY", "127.0.0.1,localhost,::1,vcenter.lab,10.0.0.5")
                    .containsEntry("no_proxy", "127.0.0.1,localhost,::1,vcenter.lab,10.0.0.5");
        }
    }

    @Test
    void client_names_are_printable() {
        assertThatThrownBy(() -> GateClient.create("bad\nname"))
                .hasMessage("gate client name 'bad?name' is not allowed: use 1 to 200 printable characters (a build's id)");
        assertThat(GateClient.create("build-1")).hasToString("GateClient[build-1]");
        assertThat(GateClient.create("build-1").token()).hasSize(32).matches("[0-9a-f]+");
    }
}
