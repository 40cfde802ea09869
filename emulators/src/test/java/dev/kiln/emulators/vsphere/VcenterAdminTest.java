package dev.kiln.emulators.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The vCenter emulator's admin API is the shared one. */
class VcenterAdminTest {

    @Test
    void a_test_reads_a_vcenters_counters_and_tagged_resources() {
        try (VcenterEmulator vcenter = VcenterEmulator.start()) {
            readsCountersAndTaggedResources(vcenter);
        }
    }

    private static void readsCountersAndTaggedResources(VcenterEmulator vcenter) {
        Rest rest = new Rest(vcenter).login();
        String vm = Rest.id(rest.get("/api/vcenter/vm?names=" + VcenterEmulator.DEFAULT_SOURCE_VM), "vm");
        String category = rest.post("/api/cis/tagging/category", "{\"name\":\"kiln-build-id\",\"cardinality\":"
                + "\"SINGLE\",\"associable_types\":[]}").body().asText();
        String tag = rest.post("/api/cis/tagging/tag", "{\"category_id\":\"" + category + "\",\"name\":\"b-ext\"}")
                .body().asText();
        rest.post("/api/cis/tagging/tag-association/" + tag + "?action=attach",
                "{\"object_id\":{\"type\":\"VirtualMachine\",\"id\":\"" + vm + "\"}}");

        Rest admin = new Rest(vcenter);
        JsonNode health = admin.get("/_kiln/health").body();
        JsonNode counters = admin.get("/_kiln/counters").body();
        JsonNode tagged = admin.get("/_kiln/resources?tagKey=kiln-build-id&tagValue=b-ext").body();

        assertThat(health.path("provider").asText()).isEqualTo("vsphere");
        assertThat(counters.path("actions").path("session.create").path("calls").asLong()).isEqualTo(1);
        assertThat(counters.path("total").has("queued")).isTrue();
        assertThat(tagged).hasSize(1);
        assertThat(tagged.get(0).path("id").asText()).isEqualTo(vm);
        assertThat(tagged.get(0).path("type").asText()).isEqualTo("VirtualMachine");
        assertThat(tagged.get(0).path("tags").path("kiln-build-id").asText()).isEqualTo("b-ext");
    }
}
