"""Azure Resource Manager through azure-sdk-for-python, as a team testing against Kiln's ARM emulator would use it.

Reads KILN_ENDPOINT (the emulator's HTTPS URL; its Azure AD answers there too), KILN_CA_BUNDLE (the
test CA in PEM), KILN_TENANT and KILN_SUBSCRIPTION, and KILN_THROTTLED_ENDPOINT (a second emulator
whose subscription read bucket holds two). Credentials are azure-identity's stock
ClientSecretCredential, which (with MSAL) insists on HTTPS. Prints one JSON object per check on
standard output for the JUnit test to assert; exits non-zero on anything unexpected.
"""
import json
import os

import azure.core
import azure.identity
from azure.core.exceptions import HttpResponseError
from azure.identity import ClientSecretCredential
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource import ResourceManagementClient

ENDPOINT = os.environ["KILN_ENDPOINT"]
THROTTLED = os.environ["KILN_THROTTLED_ENDPOINT"]
CA = os.environ["KILN_CA_BUNDLE"]
TENANT = os.environ["KILN_TENANT"]
SUB = os.environ["KILN_SUBSCRIPTION"]
LOCATION = "westeurope"
SCOPES = ["https://management.azure.com/.default"]


def credential(endpoint):
    # instance_discovery=False: MSAL would otherwise ask login.microsoftonline.com about this authority.
    return ClientSecretCredential(TENANT, "kiln-conformance", "not-a-secret", authority=endpoint,
                                  instance_discovery=False, connection_verify=CA)


def clients(endpoint):
    # retry_total=0: the test wants to see a throttle, not the SDK's retry of it.
    kwargs = dict(base_url=endpoint, credential_scopes=SCOPES, connection_verify=CA, retry_total=0)
    cred = credential(endpoint)
    return (ResourceManagementClient(cred, SUB, **kwargs), NetworkManagementClient(cred, SUB, **kwargs),
            ComputeManagementClient(cred, SUB, **kwargs))


def report(check, **data):
    print(json.dumps(dict(check=check, **data), sort_keys=True), flush=True)


def error(call):
    try:
        call()
    except HttpResponseError as e:
        r = e.response
        return dict(status=e.status_code, code=e.error.code if e.error else None, body=r.text(),
                    retryAfter=r.headers.get("Retry-After"),
                    remaining={k.lower(): v for k, v in r.headers.items() if k.lower().startswith("x-ms-ratelimit")})
    raise AssertionError("expected an error")


resources, network, compute = clients(ENDPOINT)
report("client", azureCore=azure.core.__version__, azureIdentity=azure.identity.__version__)

# Lifecycle: a group, a network, a VM, an image of it; the VM and the group deleted.
group = resources.resource_groups.create_or_update("kiln-conformance", {"location": LOCATION, "tags": {"team": "kiln"}})
vnet = network.virtual_networks.begin_create_or_update(group.name, "vnet", {
    "location": LOCATION, "address_space": {"address_prefixes": ["10.0.0.0/16"]},
    "subnets": [{"name": "default", "address_prefix": "10.0.0.0/24"}]}).result()
nic = network.network_interfaces.begin_create_or_update(group.name, "nic", {
    "location": LOCATION, "ip_configurations": [{"name": "ipconfig", "subnet": {"id": vnet.subnets[0].id}}]}).result()
created = compute.virtual_machines.begin_create_or_update(group.name, "vm", {
    "location": LOCATION, "tags": {"kiln_build": "b-1"},
    "hardware_profile": {"vm_size": "Standard_B1s"},
    "storage_profile": {"image_reference": {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy",
                                            "sku": "22_04-lts", "version": "latest"},
                        "os_disk": {"create_option": "FromImage"}},
    "os_profile": {"computer_name": "vm", "admin_username": "kiln", "admin_password": "Not-a-secret-1"},
    "network_profile": {"network_interfaces": [{"id": nic.id}]}}).result()
view = compute.virtual_machines.instance_view(group.name, "vm")
compute.virtual_machines.begin_deallocate(group.name, "vm").result()
compute.virtual_machines.generalize(group.name, "vm")
image = compute.images.begin_create_or_update(group.name, "kiln-image", {
    "location": LOCATION, "source_virtual_machine": {"id": created.id}}).result()
compute.virtual_machines.begin_delete(group.name, "vm").result()
report("lifecycle", vm=created.provisioning_state, vmSize=created.hardware_profile.vm_size,
       powerStates=[s.code for s in view.statuses], image=image.provisioning_state,
       vmGone=error(lambda: compute.virtual_machines.get(group.name, "vm"))["code"])

# Lists: filtered by a tag's value (ARM answers without tags), by its name (with them), paged by $top.
for i in range(5):
    network.public_ip_addresses.begin_create_or_update(group.name, "ip-%d" % i, {
        "location": LOCATION, "tags": {"kiln_build": "b-%d" % (i % 2)}}).result()
by_value = list(resources.resources.list(filter="tagName eq 'kiln_build' and tagValue eq 'b-1'", top=1))
by_name = list(resources.resources.list(filter="tagName eq 'kiln_build'"))
pages = list(resources.resources.list_by_resource_group(group.name, top=2).by_page())
report("lists", byValue=sorted(r.name for r in by_value), byValueTags=[r.tags for r in by_value],
       byName=sorted(r.name for r in by_name), byNameTags=sorted(r.tags["kiln_build"] for r in by_name),
       pageSizes=[len(list(p)) for p in pages],
       groups=[g.name for g in resources.resource_groups.list(filter="tagName eq 'team' and tagValue eq 'kiln'")])

resources.resource_groups.begin_delete(group.name).result()
report("deleted", groupExists=resources.resource_groups.check_existence(group.name))

# Errors as ARM writes them.
report("notFound", **error(lambda: resources.resource_groups.get("kiln-missing")))
report("unsupported", **error(lambda: resources.providers.get("Microsoft.Web")))

# Compute's throttle: the test gave HighCostGet (VM lists) a 3-minute window of three calls.
for _ in range(3):
    list(compute.virtual_machines.list_all())
report("computeThrottled", **error(lambda: list(compute.virtual_machines.list_all())))

# ARM's own: the second emulator's subscription reads hold two.
t_resources, _, _ = clients(THROTTLED)
t_resources.resource_groups.check_existence("a")
t_resources.resource_groups.check_existence("b")
report("subscriptionThrottled", **error(lambda: t_resources.resource_groups.get("c")))
