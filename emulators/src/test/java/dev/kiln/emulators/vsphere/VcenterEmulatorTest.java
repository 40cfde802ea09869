package dev.kiln.emulators.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.emulators.ApiCall;
import dev.kiln.emulators.Fault;
import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.vsphere.Rest.Answer;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The vCenter emulator answers the vSphere Automation REST API with vCenter's shapes and rules. */
class VcenterEmulatorTest {

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-05T09:00:00Z"));
    private VcenterEmulator vcenter;

    private Rest start(VcenterEmulator.Builder b) {
        vcenter = b.timeSource(time).start();
        return new Rest(vcenter);
    }

    private Rest start() {
        return start(VcenterEmulator.builder());
    }

    @AfterEach
    void stop() {
        if (vcenter != null) {
            vcenter.close();
        }
    }

    private static String cloneBody(String source, String name, String host, String datastore) {
        return "{\"source\":\"" + source + "\",\"name\":\"" + name + "\",\"placement\":{\"host\":\"" + host
                + "\",\"datastore\":\"" + datastore + "\"},\"power_on\":false}";
    }

    @Test
    void sessions_come_from_basic_auth_and_every_other_call_needs_one() {
        Rest rest = start();

        Answer denied = rest.send("POST", "/api/session", null, Rest.basic(VcenterEmulator.DEFAULT_USER, "wrong"));
        assertThat(denied.status()).isEqualTo(401);
        assertThat(denied.errorType()).isEqualTo("UNAUTHENTICATED");
        assertThat(denied.body().path("messages").get(0).has("default_message")).isTrue();
        assertThat(rest.get("/api/vcenter/vm").status()).isEqualTo(401);

        rest.login();
        assertThat(rest.session()).matches("[0-9a-f]{32}");
        assertThat(rest.get("/api/session").body().path("user").asText()).isEqualTo(VcenterEmulator.DEFAULT_USER);
        assertThat(rest.get("/api/vcenter/vm").status()).isEqualTo(200);
        assertThat(vcenter.openSessions()).isEqualTo(1);

        assertThat(rest.delete("/api/session").status()).isEqualTo(204);
        assertThat(rest.get("/api/vcenter/vm").status()).isEqualTo(401);
        assertThat(vcenter.openSessions()).isZero();
    }

    @Test
    void idle_sessions_time_out_and_logins_past_the_limit_get_503() {
        Rest rest = start(VcenterEmulator.builder().sessionLimit(2).sessionIdleTimeout(Duration.ofMinutes(30)));
        rest.login();
        new Rest(vcenter).login();

        Answer third = new Rest(vcenter).send("POST", "/api/session", null,
                Rest.basic(VcenterEmulator.DEFAULT_USER, VcenterEmulator.DEFAULT_PASSWORD));
        assertThat(third.status()).isEqualTo(503);
        assertThat(third.errorType()).isEqualTo("SERVICE_UNAVAILABLE");

        time.advance(Duration.ofMinutes(29));
        assertThat(rest.get("/api/vcenter/host").status()).isEqualTo(200);
        time.advance(Duration.ofMinutes(2));
        // The other session went idle past 30 minutes; this one was used 2 minutes ago.
        assertThat(vcenter.openSessions()).isEqualTo(1);
        time.advance(Duration.ofMinutes(31));
        assertThat(rest.get("/api/vcenter/host").status()).isEqualTo(401);
    }

    @Test
    void inventory_lists_filter_by_name_and_errors_have_the_documented_body() {
        Rest rest = start(VcenterEmulator.builder().esxiHosts("esx-01").cluster("cluster-1", "esx-02", "esx-03"))
                .login();

        Answer hosts = rest.get("/api/vcenter/host");
        assertThat(hosts.body()).extracting(h -> h.path("name").asText()).containsExactly("esx-01", "esx-02", "esx-03");
        String cluster = Rest.id(rest.get("/api/vcenter/cluster?names=cluster-1"), "cluster");
        assertThat(rest.get("/api/vcenter/host?clusters=" + cluster).body()).hasSize(2);
        assertThat(rest.get("/api/vcenter/host?standalone=true").body()).hasSize(1);
        JsonNode ds = rest.get("/api/vcenter/datastore?names=datastore1").body().get(0);
        assertThat(ds.path("type").asText()).isEqualTo("VMFS");
        assertThat(ds.path("capacity").asLong()).isEqualTo(4096L << 30);
        assertThat(ds.path("free_space").asLong()).isEqualTo((4096L - 16) << 30);
        assertThat(rest.get("/api/vcenter/folder?type=VIRTUAL_MACHINE&names=kiln-builds").body()).hasSize(1);
        assertThat(rest.get("/api/vcenter/vm?names=kiln-source-template").body().get(0).path("power_state").asText())
                .isEqualTo("POWERED_OFF");
        assertThat(rest.get("/api/vcenter/vm?names=nothing-like-it").body()).isEmpty();

        Answer missing = rest.get("/api/vcenter/vm/vm-999999");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorType()).isEqualTo("NOT_FOUND");
        JsonNode message = missing.body().path("messages").get(0);
        assertThat(message.path("default_message").asText()).contains("vm-999999");
        assertThat(message.path("id").asText()).isNotEmpty();
        assertThat(message.path("args").isArray()).isTrue();

        Answer unknown = rest.get("/api/vcenter/network-of-dreams");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(vcenter.unknownOperations()).containsExactly("GET /api/vcenter/network-of-dreams");
    }

    @Test
    void every_folder_type_resource_pools_and_networks_are_listed_as_on_vcenter() {
        // Issue 19: every vCenter has datacenter, host, datastore and network folders, a root resource
        // pool per compute resource, and networks; clients list them for placement.
        Rest rest = start(VcenterEmulator.builder().esxiHosts("esx-01").cluster("cluster-1", "esx-02", "esx-03"))
                .login();

        assertThat(rest.get("/api/vcenter/folder").body()).extracting(f -> f.path("type").asText() + " "
                + f.path("name").asText()).containsExactly("DATACENTER Datacenters", "VIRTUAL_MACHINE vm", "HOST host",
                "DATASTORE datastore", "NETWORK network", "VIRTUAL_MACHINE kiln-builds");
        String dc = Rest.id(rest.get("/api/vcenter/datacenter?names=Datacenter"), "datacenter");
        JsonNode datacenter = rest.get("/api/vcenter/datacenter/" + dc).body();
        assertThat(rest.get("/api/vcenter/folder?type=HOST").body().get(0).path("folder").asText())
                .isEqualTo(datacenter.path("host_folder").asText());
        String vmFolder = datacenter.path("vm_folder").asText();
        assertThat(rest.get("/api/vcenter/folder?parent_folders=" + vmFolder).body())
                .extracting(f -> f.path("name").asText()).containsExactly("kiln-builds");

        Answer pools = rest.get("/api/vcenter/resource-pool");
        assertThat(pools.body()).hasSize(2).extracting(p -> p.path("name").asText()).containsOnly("Resources");
        String cluster = Rest.id(rest.get("/api/vcenter/cluster?names=cluster-1"), "cluster");
        String clusterPool = rest.get("/api/vcenter/cluster/" + cluster).body().path("resource_pool").asText();
        assertThat(rest.get("/api/vcenter/resource-pool?clusters=" + cluster).body()).extracting(
                p -> p.path("resource_pool").asText()).containsExactly(clusterPool);
        String esx01 = Rest.id(rest.get("/api/vcenter/host?names=esx-01"), "host");
        assertThat(rest.get("/api/vcenter/resource-pool?hosts=" + esx01).body()).hasSize(1);
        assertThat(rest.get("/api/vcenter/resource-pool/" + clusterPool).body().path("name").asText())
                .isEqualTo("Resources");

        assertThat(rest.get("/api/vcenter/network").body()).singleElement().satisfies(n -> {
            assertThat(n.path("name").asText()).isEqualTo(VcenterEmulator.DEFAULT_NETWORK);
            assertThat(n.path("type").asText()).isEqualTo("STANDARD_PORTGROUP");
        });
        assertThat(rest.get("/api/vcenter/network?types=DISTRIBUTED_PORTGROUP").body()).isEmpty();
        // and the legacy /rest forms of the same lists
        assertThat(rest.get("/rest/vcenter/resource-pool?filter.names.1=Resources").body().path("value")).hasSize(2);
        assertThat(rest.get("/rest/vcenter/network").body().path("value")).hasSize(1);
        assertThat(rest.get("/rest/vcenter/folder?filter.type=NETWORK").body().path("value")).hasSize(1);
        assertThat(vcenter.unknownOperations()).isEmpty();
    }

    @Test
    void a_clone_takes_disk_space_and_follows_power_and_delete_rules() {
        Rest rest = start(VcenterEmulator.builder().cloneTime(Duration.ofSeconds(20))).login();
        String source = Rest.id(rest.get("/api/vcenter/vm?names=kiln-source-template"), "vm");
        String host = Rest.id(rest.get("/api/vcenter/host?names=esx-02"), "host");
        String ds = Rest.id(rest.get("/api/vcenter/datastore?names=datastore1"), "datastore");
        long freeBefore = vcenter.freeGb("datastore1");
        long before = time.nanoTime();

        Answer clone = rest.post("/api/vcenter/vm?action=clone", cloneBody(source, "web-1", host, ds));

        assertThat(clone.status()).isEqualTo(200);
        String vm = clone.body().asText();
        assertThat(vm).startsWith("vm-");
        assertThat(Duration.ofNanos(time.nanoTime() - before)).isEqualTo(Duration.ofSeconds(20));
        assertThat(vcenter.freeGb("datastore1")).isEqualTo(freeBefore - 16);
        assertThat(rest.get("/api/vcenter/vm?hosts=" + host).body()).extracting(v -> v.path("name").asText())
                .containsExactly("web-1");
        assertThat(rest.get("/api/vcenter/vm/" + vm).body().path("disks").path("2000").path("capacity").asLong())
                .isEqualTo(16L << 30);
        assertThat(rest.post("/api/vcenter/vm?action=clone", cloneBody(source, "web-1", host, ds)).errorType())
                .isEqualTo("ALREADY_EXISTS");

        assertThat(rest.post("/api/vcenter/vm/" + vm + "/power?action=start", null).status()).isEqualTo(204);
        assertThat(rest.post("/api/vcenter/vm/" + vm + "/power?action=start", null).errorType())
                .isEqualTo("ALREADY_IN_DESIRED_STATE");
        assertThat(rest.get("/api/vcenter/vm/" + vm + "/guest/identity").errorType()).isEqualTo("SERVICE_UNAVAILABLE");
        time.advance(Duration.ofSeconds(1));
        assertThat(rest.get("/api/vcenter/vm/" + vm + "/guest/identity").body().path("ip_address").asText())
                .matches("10\\.20\\.\\d+\\.\\d+");
        assertThat(rest.delete("/api/vcenter/vm/" + vm).errorType()).isEqualTo("NOT_ALLOWED_IN_CURRENT_STATE");

        assertThat(rest.post("/api/vcenter/vm/" + vm + "/guest/power?action=shutdown", null).status()).isEqualTo(204);
        assertThat(rest.get("/api/vcenter/vm/" + vm + "/power").body().path("state").asText()).isEqualTo("POWERED_ON");
        time.advance(Duration.ofSeconds(1));
        assertThat(rest.get("/api/vcenter/vm/" + vm + "/power").body().path("state").asText())
                .isEqualTo("POWERED_OFF");
        assertThat(rest.post("/api/vcenter/vm/" + vm + "/power?action=stop", null).errorType())
                .isEqualTo("ALREADY_IN_DESIRED_STATE");
        assertThat(rest.delete("/api/vcenter/vm/" + vm).status()).isEqualTo(204);
        assertThat(vcenter.freeGb("datastore1")).isEqualTo(freeBefore);
    }

    @Test
    void a_clone_that_does_not_fit_its_datastore_is_refused() {
        Rest rest = start(VcenterEmulator.builder().datastore("small", 40, 10)
                .vm("src", "esx-01", "small", null, 16)).login();
        String source = Rest.id(rest.get("/api/vcenter/vm?names=src"), "vm");
        String host = Rest.id(rest.get("/api/vcenter/host?names=esx-01"), "host");
        String ds = Rest.id(rest.get("/api/vcenter/datastore?names=small"), "datastore");

        Answer refused = rest.post("/api/vcenter/vm?action=clone", cloneBody(source, "too-big", host, ds));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.errorType()).isEqualTo("UNABLE_TO_ALLOCATE_RESOURCE");
        assertThat(refused.body().path("messages").get(0).path("default_message").asText())
                .contains("Insufficient disk space on datastore 'small'");
    }

    @Test
    void tags_attach_to_vms_and_library_items_and_vanish_with_them() {
        Rest rest = start().login();
        String source = Rest.id(rest.get("/api/vcenter/vm?names=kiln-source-template"), "vm");

        Answer category = rest.post("/api/cis/tagging/category", "{\"name\":\"kiln-build-id\",\"description\":\"\","
                + "\"cardinality\":\"SINGLE\",\"associable_types\":[]}");
        assertThat(category.status()).isEqualTo(201);
        String categoryId = category.body().asText();
        assertThat(categoryId).startsWith("urn:vmomi:InventoryServiceCategory:").endsWith(":GLOBAL");
        assertThat(rest.post("/api/cis/tagging/category", "{\"name\":\"kiln-build-id\",\"cardinality\":\"SINGLE\"}")
                .errorType()).isEqualTo("ALREADY_EXISTS");
        String tag = rest.post("/api/cis/tagging/tag", "{\"category_id\":\"" + categoryId + "\",\"name\":\"b-1\"}")
                .body().asText();
        assertThat(rest.post("/api/cis/tagging/tag?action=list-tags-for-category",
                "{\"category_id\":\"" + categoryId + "\"}").body()).extracting(JsonNode::asText).containsExactly(tag);
        assertThat(rest.get("/api/cis/tagging/tag/" + tag).body().path("name").asText()).isEqualTo("b-1");

        String object = "{\"object_id\":{\"type\":\"VirtualMachine\",\"id\":\"" + source + "\"}}";
        assertThat(rest.post("/api/cis/tagging/tag-association/" + tag + "?action=attach", object).status())
                .isEqualTo(204);
        assertThat(rest.post("/api/cis/tagging/tag-association/" + tag + "?action=list-attached-objects", null)
                .body().get(0).path("id").asText()).isEqualTo(source);
        assertThat(rest.post("/api/cis/tagging/tag-association?action=list-attached-tags", object).body())
                .extracting(JsonNode::asText).containsExactly(tag);
        assertThat(vcenter.resourcesTagged("kiln-build-id", "b-1")).extracting(TaggedResource::id)
                .containsExactly(source);

        String library = rest.post("/api/content/library?action=find", "{\"name\":\"kiln-images\"}").body().get(0)
                .asText();
        Answer item = rest.post("/api/vcenter/vm-template/library-items", "{\"source_vm\":\"" + source
                + "\",\"name\":\"base-1\",\"library\":\"" + library + "\"}");
        assertThat(item.status()).isEqualTo(201);
        String itemId = item.body().asText();
        assertThat(rest.post("/api/content/library/item?action=find", "{\"name\":\"base-1\"}").body())
                .extracting(JsonNode::asText).containsExactly(itemId);
        assertThat(rest.get("/api/content/library/item/" + itemId).body().path("type").asText())
                .isEqualTo("vm-template");
        String templateVm = rest.get("/api/vcenter/vm-template/library-items/" + itemId).body().path("vm_template")
                .asText();
        // Like vCenter 7+, the VM API does not see the template's VM.
        assertThat(rest.get("/api/vcenter/vm?names=base-1").body()).isEmpty();
        assertThat(rest.get("/api/vcenter/vm/" + templateVm).status()).isEqualTo(404);
        assertThat(rest.post("/api/cis/tagging/tag-association/" + tag + "?action=attach",
                "{\"object_id\":{\"type\":\"com.vmware.content.library.Item\",\"id\":\"" + itemId + "\"}}").status())
                .isEqualTo(204);
        assertThat(vcenter.resourcesTagged("kiln-build-id", "b-1")).extracting(TaggedResource::type)
                .containsExactlyInAnyOrder("VirtualMachine", "com.vmware.content.library.Item");

        assertThat(rest.delete("/api/content/library/item/" + itemId).status()).isEqualTo(204);
        assertThat(vcenter.resourcesTagged("kiln-build-id", "b-1")).extracting(TaggedResource::id)
                .containsExactly(source);
        assertThat(vcenter.vms()).extracting(VmSummary::id).doesNotContain(templateVm);
        assertThat(rest.delete("/api/cis/tagging/tag/" + tag).status()).isEqualTo(204);
        assertThat(vcenter.resourcesTagged("kiln-build-id", "b-1")).isEmpty();
    }

    @Test
    void the_legacy_rest_form_wraps_answers_and_errors() {
        Rest rest = start().loginLegacy();

        Answer vms = rest.get("/rest/vcenter/vm?filter.names.1=kiln-source-template");
        assertThat(vms.status()).isEqualTo(200);
        String vm = vms.body().path("value").get(0).path("vm").asText();
        assertThat(rest.get("/rest/vcenter/vm?filter.names=kiln-source-template").body().path("value")).hasSize(1);
        assertThat(rest.get("/rest/vcenter/datastore").body().path("value").get(0).path("free_space").asLong())
                .isPositive();

        Answer missing = rest.get("/rest/vcenter/vm/vm-424242");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().path("type").asText()).isEqualTo("com.vmware.vapi.std.errors.not_found");
        assertThat(missing.body().path("value").path("messages").get(0).path("default_message").asText())
                .contains("vm-424242");

        String category = rest.post("/rest/com/vmware/cis/tagging/category", "{\"create_spec\":{\"name\":\"c\","
                + "\"description\":\"\",\"cardinality\":\"MULTIPLE\",\"associable_types\":[]}}").body().path("value")
                .asText();
        String tag = rest.post("/rest/com/vmware/cis/tagging/tag", "{\"create_spec\":{\"name\":\"t\",\"description\":"
                + "\"\",\"category_id\":\"" + category + "\"}}").body().path("value").asText();
        assertThat(rest.post("/rest/com/vmware/cis/tagging/tag/id:" + category + "?~action=list-tags-for-category",
                null).body().path("value")).extracting(JsonNode::asText).containsExactly(tag);
        assertThat(rest.post("/rest/com/vmware/cis/tagging/tag-association/id:" + tag + "?~action=attach",
                "{\"object_id\":{\"type\":\"VirtualMachine\",\"id\":\"" + vm + "\"}}").status()).isEqualTo(200);
        assertThat(rest.post("/rest/com/vmware/cis/tagging/tag-association/id:" + tag
                + "?~action=list-attached-objects", null).body().path("value").get(0).path("id").asText())
                .isEqualTo(vm);
        assertThat(rest.post("/rest/com/vmware/content/library/item?~action=find", "{\"spec\":{\"name\":\"x\"}}")
                .body().path("value")).isEmpty();
        assertThat(rest.post("/rest/vcenter/vm/" + vm + "/power/start", null).status()).isEqualTo(200);
        assertThat(rest.get("/rest/vcenter/vm/" + vm + "/power").body().path("value").path("state").asText())
                .isEqualTo("POWERED_ON");
        assertThat(rest.send("DELETE", "/rest/com/vmware/cis/session", null, null).status()).isEqualTo(200);
    }

    @Test
    void a_legacy_only_vcenter_answers_404_on_api() {
        Rest rest = start(VcenterEmulator.builder().legacyOnly(true));

        Answer api = rest.send("POST", "/api/session", null, Rest.basic(VcenterEmulator.DEFAULT_USER,
                VcenterEmulator.DEFAULT_PASSWORD));

        assertThat(api.status()).isEqualTo(404);
        rest.loginLegacy();
        assertThat(rest.get("/rest/vcenter/host").body().path("value")).hasSize(3);
    }

    @Test
    void injected_faults_answer_vcenters_errors_and_are_counted() {
        Rest rest = start().login();
        vcenter.faults().inject("vcenter.vm.list", Fault.errorRate(1.0));
        vcenter.faults().inject("vcenter.host.list", Fault.outage(Duration.ZERO, Duration.ofMinutes(1)));

        Answer error = rest.get("/api/vcenter/vm");
        Answer outage = rest.get("/api/vcenter/host");
        time.advance(Duration.ofMinutes(2));
        Answer after = rest.get("/api/vcenter/host");

        assertThat(error.status()).isEqualTo(500);
        assertThat(error.errorType()).isEqualTo("ERROR");
        assertThat(outage.status()).isEqualTo(503);
        assertThat(after.status()).isEqualTo(200);
        assertThat(vcenter.counters().of("vcenter.vm.list").injectedFaults()).isEqualTo(1);
        assertThat(vcenter.counters().of("vcenter.host.list").calls()).isEqualTo(2);
        assertThat(vcenter.calls()).extracting(ApiCall::action).containsSubsequence("session.create",
                "vcenter.vm.list", "vcenter.host.list");
        assertThat(vcenter.calls()).allSatisfy(c -> assertThat(c.provider()).isEqualTo("vsphere"));
    }

    @Test
    void reset_brings_back_the_starting_inventory() {
        Rest rest = start().login();
        String source = Rest.id(rest.get("/api/vcenter/vm?names=kiln-source-template"), "vm");
        String host = Rest.id(rest.get("/api/vcenter/host?names=esx-01"), "host");
        String ds = Rest.id(rest.get("/api/vcenter/datastore?names=datastore1"), "datastore");
        rest.post("/api/vcenter/vm?action=clone", cloneBody(source, "left-over", host, ds));

        vcenter.reset();

        assertThat(vcenter.vms()).extracting(VmSummary::name).containsExactly("kiln-source-template");
        assertThat(vcenter.openSessions()).isZero();
        assertThat(vcenter.provisioning()).isEmpty();
        assertThat(vcenter.counters().total().calls()).isZero();
        assertThat(List.of(rest.get("/api/vcenter/vm").status())).containsExactly(401);
    }
}
