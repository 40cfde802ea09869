package dev.kiln.azure.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the provider reads out of names and headers without asking Azure. */
class NamesTest {

    @Test
    void vm_sizes_map_to_the_quota_family_compute_reports() {
        Map<String, String> families = Map.of("Standard_D2s_v3", "standardDSv3Family", "Standard_DS2_v2",
                "standardDSv2Family", "Standard_B2s", "standardBSFamily", "Standard_B4ms", "standardBSFamily",
                "Standard_D2_v3", "standardDv3Family", "Standard_D2ds_v5", "standardDDSv5Family", "Standard_D2as_v4",
                "standardDASv4Family", "Standard_F4s_v2", "standardFSv2Family", "Standard_E8-4s_v3",
                "standardESv3Family", "Standard_D2ls_v5", "standardDLSv5Family");
        families.forEach((size, family) -> assertThat(VmSizeTable.family(size)).as(size).hasValue(family));
        assertThat(VmSizeTable.family("t3.micro")).isEmpty();
    }

    @Test
    void vcpus_follow_the_size_number_except_for_the_old_d_series() {
        assertThat(VmSizeTable.vcpus("Standard_D8s_v3")).hasValue(8);
        assertThat(VmSizeTable.vcpus("Standard_DS3_v2")).hasValue(4);
        assertThat(VmSizeTable.vcpus("Standard_D13_v2")).hasValue(8);
        assertThat(VmSizeTable.vcpus("Standard_A2")).isEmpty();
        assertThat(VmSizeTable.vcpus("e2-medium")).isEmpty();
    }

    @Test
    void compute_remaining_headers_become_kilns_limits_with_the_smallest_count() {
        assertThat(GatePolicy.remainingResource(
                "Microsoft.Compute/PutVM3Min;239,Microsoft.Compute/PutVM30Min;1198,Microsoft.Compute/LowCostGet3Min;"
                        + "3996")).containsExactly(Map.entry("compute.PutVM", 239L),
                Map.entry("compute.LowCostGet", 3996L));
        assertThat(GatePolicy.remainingResource("garbage;;,/x;y")).isEmpty();
    }

    @Test
    void any_header_text_is_read_without_throwing() {
        Random random = new Random(20260105L);
        String alphabet = "Microsoft.Compute/PutVM30Min;0123456789,; ";
        for (int i = 0; i < 2_000; i++) {
            StringBuilder b = new StringBuilder();
            for (int n = random.nextInt(60); n > 0; n--) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            assertThat(GatePolicy.remainingResource(b.toString())).allSatisfy((k, v) ->
                    assertThat(k).startsWith("compute."));
        }
    }
}
