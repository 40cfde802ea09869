package dev.kiln.limits;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** ARM's defaults: api classes charge ARM's and Compute's buckets; packer's autorest names follow their class. */
class AzureDefaultsTest {

    private final LimitsTable azure = ProviderDefaults.azure();

    @Test
    void a_vm_write_charges_arms_writes_and_computes_put_vm_policy() {
        assertThat(azure.chargesFor("vm.put")).extracting(Charge::limit).containsExactly("arm.writes", "compute.PutVM");
        assertThat(azure.chargesFor("operation.get")).extracting(Charge::limit)
                .containsExactly("arm.reads", "compute.GetOperation");
    }

    @Test
    void a_throttle_packer_reports_by_autorest_operation_slows_only_that_operations_limits() {
        assertThat(azure.chargesFor("compute.VirtualMachinesClient#Deallocate")).isEqualTo(azure.chargesFor("vm.put"));
        assertThat(azure.chargesFor("resources.GroupsClient#Delete")).isEqualTo(azure.chargesFor("resource.delete"));
        assertThat(azure.chargesFor("compute.SomethingNewClient#Get")).isEmpty();
    }

    @Test
    void every_call_of_azure_arms_cost_model_is_limited() {
        for (ApiCost cost : ProviderDefaults.azureArm().calls()) {
            assertThat(azure.chargesFor(cost.api())).as(cost.api()).isNotEmpty();
        }
        // the real builder's teardown, as the gate recorded it: the deployment, then the temporary group
        // (which takes the VM, NIC, public IP, vnet and disk with it)
        assertThat(ProviderDefaults.azureArm().calls()).filteredOn(c -> c.api().endsWith("delete"))
                .extracting(c -> c.atEnd()).containsExactly(2.0);
    }
}
