package dev.kiln.vsphere.internal;

import dev.kiln.plan.ProviderCatalog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.KilnException;
import dev.kiln.emulators.vsphere.VcenterEmulator;
import dev.kiln.limits.LimitSpec;
import dev.kiln.plan.Demand;
import dev.kiln.plan.Target;
import dev.kiln.spi.Budget;
import dev.kiln.spi.CloudProvider;
import dev.kiln.spi.ProviderFactory;
import dev.kiln.spi.ProviderSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tools find the vSphere provider by its id and build it from non-secret settings. */
class VsphereProviderFactoryTest {

    private static final String STORE_PASSWORD = "changeit";

    @TempDir
    Path dir;

    private static ProviderFactory factory() {
        return new VsphereProviderFactory(name -> null);
    }

    private static Target target(String account, String host) {
        return new Target("vsphere", account, host, Map.of());
    }

    @Test
    void the_factory_is_registered_under_vsphere() {
        // On the module path these tests run inside dev.kiln.vsphere, which provides factories but never loads one.
        VsphereProviderFactoryTest.class.getModule().addUses(ProviderFactory.class);
        assertThat(ServiceLoader.load(ProviderFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.id().equals("vsphere"))).singleElement().isInstanceOf(VsphereProviderFactory.class);
    }

    @Test
    void settings_from_kiln_vsphere_variables_configure_urls_limits_and_what_packer_is_told() {
        // Given
        ProviderSettings settings = ProviderSettings.fromEnvironment("vsphere", Map.of(
                "KILN_VSPHERE_ENDPOINT", "https://vc.example.com/",
                "KILN_VSPHERE_VCENTERS", "lab=https://vc-lab.example.com:8443, prod=https://vc-prod.example.com",
                "KILN_VSPHERE_DATASTORE", "vsanDatastore", "KILN_VSPHERE_HOST_MAX_COST", "16",
                "KILN_VSPHERE_DATASTORE_MAX_COST", "64", "KILN_VSPHERE_TAG_CATEGORY", "kiln-builds",
                "KILN_VSPHERE_REQUEST_TIMEOUT", "90s", "KILN_VSPHERE_EXPECTED_BUILD_TIME", "PT12M"));

        // When
        try (CloudProvider vsphere = factory().create(settings)) {
            // Then
            assertThat(vsphere.id()).isEqualTo("vsphere");
            Target lab = target("lab", "esx-01");
            assertThat(vsphere.packerEnv(lab, Budget.UNLIMITED))
                    .containsEntry("KILN_VSPHERE_URL", "https://vc-lab.example.com:8443")
                    .containsEntry("KILN_VSPHERE_DATASTORE", "vsanDatastore")
                    .containsEntry("KILN_VSPHERE_TAG_CATEGORY", "kiln-builds")
                    .containsEntry("KILN_VSPHERE_INSECURE", "false");
            assertThat(vsphere.packerEnv(target("other", "esx-01"), Budget.UNLIMITED))
                    .containsEntry("KILN_VSPHERE_URL", "https://vc.example.com");
            assertThat(vsphere.apiLimits(lab).limit("vcenter.host").orElseThrow().spec())
                    .isEqualTo(LimitSpec.concurrency(16));
            assertThat(vsphere.apiLimits(lab).limit("vcenter.datastore.vsanDatastore").orElseThrow().spec())
                    .isEqualTo(LimitSpec.concurrency(64));
        }
    }

    @Test
    void an_emulator_with_its_own_certificate_is_reached_insecurely_with_credentials_from_the_default_chain() {
        // Given the emulator's fixture user in the system properties and its self-signed certificate skipped,
        // as kiln demo does
        System.setProperty(Credentials.USER_PROPERTY, VcenterEmulator.DEFAULT_USER);
        System.setProperty(Credentials.PASSWORD_PROPERTY, VcenterEmulator.DEFAULT_PASSWORD);
        try (VcenterEmulator vcenter = VcenterEmulator.start();
                CloudProvider vsphere = factory().create(new ProviderSettings("vsphere", Map.of(
                        "endpoint", vcenter.endpoint().toString(), "datastore", VcenterEmulator.DEFAULT_DATASTORE,
                        "insecure", "true")))) {
            // When
            var quotas = vsphere.probeQuotas(target("vcenter.lab.example", "esx-02")).quotas();

            // Then
            assertThat(vcenter.endpoint().getScheme()).isEqualTo("https");
            assertThat(quotas.get(Demand.DISK_GB).limit()).isEqualTo(4096);
        } finally {
            System.clearProperty(Credentials.USER_PROPERTY);
            System.clearProperty(Credentials.PASSWORD_PROPERTY);
        }
    }

    @Test
    void a_trust_store_password_comes_from_the_environment_never_from_settings() throws Exception {
        // Given a PKCS12 store (certificates encrypted under its password) and a JKS one (readable without)
        Path p12 = trustStore("PKCS12", "trust.p12");
        Path jks = trustStore("JKS", "trust.jks");
        Map<String, String> withP12 = Map.of("trust_store", p12.toString());

        // Then
        assertThatThrownBy(() -> factory().create(new ProviderSettings("vsphere", withP12)))
                .isInstanceOf(KilnException.class)
                .hasMessageStartingWith("setting trust_store of provider vsphere: cannot read the trust store " + p12)
                .hasMessageContaining("it holds no certificate readable without its password")
                .hasMessageEndingWith("comes from the environment variable VSPHERE_TRUST_STORE_PASSWORD");
        VsphereProviderFactory withPassword = new VsphereProviderFactory(
                Map.of(VsphereProviderFactory.TRUST_STORE_PASSWORD_VARIABLE, STORE_PASSWORD)::get);
        withPassword.create(new ProviderSettings("vsphere", withP12)).close();
        factory().create(new ProviderSettings("vsphere", Map.of("trust_store", jks.toString(), "trust_store_type",
                "JKS"))).close();
        assertThat(factory().create(new ProviderSettings("vsphere", Map.of("insecure", "true")))
                .packerEnv(target("lab", "esx-01"), Budget.UNLIMITED)).containsEntry("KILN_VSPHERE_INSECURE", "true");
    }

    @Test
    void bad_settings_are_named_with_what_is_allowed() {
        assertThatThrownBy(() -> create(Map.of("password", "x", "vcenter", "y")))
                .isInstanceOf(KilnException.class)
                .hasMessage("unknown setting(s) [password, vcenter] for provider vsphere; known: [clone_cost,"
                        + " connect_timeout, datastore, datastore_max_cost, endpoint, expected_build_time,"
                        + " folder_vm_limit, host_max_cost, insecure, request_timeout, tag_category, trust_store,"
                        + " trust_store_type, vcenters]");
        assertThatThrownBy(() -> create(Map.of("endpoint", "ftp://vc.example.com")))
                .hasMessage("setting endpoint of provider vsphere: a vCenter URL is https://host[:port] (http only"
                        + " for emulators), got 'ftp://vc.example.com'");
        assertThatThrownBy(() -> create(Map.of("endpoint", "https://root:pw@vc.example.com")))
                .hasMessageStartingWith("setting endpoint of provider vsphere: a vCenter URL carries no user or"
                        + " password").hasMessageNotContaining("pw@");
        assertThatThrownBy(() -> create(Map.of("endpoint", "https://vc example")))
                .hasMessage("setting endpoint of provider vsphere: 'https://vc example' is not a URL such as"
                        + " https://vcenter.example.com");
        assertThatThrownBy(() -> create(Map.of("vcenters", "lab")))
                .hasMessage("setting vcenters of provider vsphere: 'lab' is not account=url, e.g."
                        + " vc-lab=https://vc-lab.example.com");
        assertThatThrownBy(() -> create(Map.of("host_max_cost", "lots")))
                .hasMessage("setting host_max_cost of provider vsphere: 'lots' is not a whole number of at least 1");
        assertThatThrownBy(() -> create(Map.of("clone_cost", "0")))
                .hasMessage("setting clone_cost of provider vsphere: '0' is not a whole number of at least 1");
        assertThatThrownBy(() -> create(Map.of("connect_timeout", "soon")))
                .hasMessage("setting connect_timeout of provider vsphere: 'soon' is not a positive duration such as"
                        + " 90s, 5m, 1h, 500ms or PT5M");
        assertThatThrownBy(() -> create(Map.of("insecure", "true", "trust_store", "/etc/kiln/vmca.p12")))
                .hasMessageStartingWith("settings insecure and trust_store of provider vsphere exclude each other");
        assertThatThrownBy(() -> create(Map.of("trust_store_type", "JKS")))
                .hasMessage("setting trust_store_type of provider vsphere needs trust_store, the file it describes");
    }

    private static void create(Map<String, String> values) {
        factory().create(new ProviderSettings("vsphere", values)).close();
    }

    /** A store of {@code type} trusting one self-signed certificate, made by the JDK's keytool. */
    private Path trustStore(String type, String name) throws IOException, InterruptedException {
        Path server = dir.resolve(name + ".server.p12");
        Path cert = dir.resolve(name + ".crt");
        Path store = dir.resolve(name);
        keytool("-genkeypair", "-alias", "vcenter", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=vcenter.kiln.test", "-validity", "2", "-storetype", "PKCS12", "-keystore", server.toString(),
                "-storepass", STORE_PASSWORD);
        keytool("-exportcert", "-alias", "vcenter", "-keystore", server.toString(), "-storepass", STORE_PASSWORD,
                "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "vcenter-ca", "-file", cert.toString(), "-storetype", type,
                "-keystore", store.toString(), "-storepass", STORE_PASSWORD);
        return store;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }

    @Test
    void its_catalog_takes_any_host_and_a_limit_per_datastore() {
        ProviderCatalog catalog = factory().catalog();
        Target t = target("vc.example", "esx-17.lab");

        assertThat(catalog.freeFormRegions()).isTrue();
        assertThat(catalog.knowsRegion("esx-17.lab")).isTrue();
        assertThat(catalog.knowsLimit(t, "vcenter.host")).isTrue();
        assertThat(catalog.knowsLimit(t, "vcenter.datastore.vsanDatastore")).isTrue();
        assertThat(catalog.knowsLimit(t, "vcenter.hots")).isFalse();
        assertThat(catalog.knowsLimit(t, "gce.reads")).isFalse();
    }
}
