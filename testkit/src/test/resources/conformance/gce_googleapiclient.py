"""Compute Engine through google-api-python-client, as a team testing against Kiln's GCE emulator would use it.

Reads KILN_ENDPOINT (the emulator's HTTPS URL: its discovery document, batch endpoint and OAuth
token endpoint answer there too), KILN_CA_BUNDLE (the test CA in PEM), KILN_PROJECT, and
KILN_THROTTLED_ENDPOINT / KILN_THROTTLED_429_ENDPOINT (emulators whose read quota holds two calls a
window, answering a refusal in Compute's 403 and in the newer 429 form). Credentials are a stock
service account whose token_uri is the emulator's. Prints one JSON object per check on standard
output for the JUnit test to assert; exits non-zero on anything unexpected.
"""
import base64
import json
import os

import googleapiclient
import httplib2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.oauth2 import service_account
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient import discovery
from googleapiclient.errors import HttpError

ENDPOINT = os.environ["KILN_ENDPOINT"]
CA = os.environ["KILN_CA_BUNDLE"]
PROJECT = os.environ["KILN_PROJECT"]
ZONE = "us-east1-b"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


def authorized(endpoint):
    info = {"type": "service_account", "project_id": PROJECT, "private_key_id": "kiln", "private_key": KEY,
            "client_email": "conformance@%s.iam.gserviceaccount.com" % PROJECT, "client_id": "1",
            "token_uri": endpoint + "/token"}
    creds = service_account.Credentials.from_service_account_info(
        info, scopes=["https://www.googleapis.com/auth/compute"])
    return AuthorizedHttp(creds, http=httplib2.Http(ca_certs=CA))


def compute(endpoint):
    return discovery.build("compute", "v1", http=authorized(endpoint), cache_discovery=False,
                           discoveryServiceUrl=endpoint + "/discovery/v1/apis/{api}/{apiVersion}/rest")


def report(check, **data):
    print(json.dumps(dict(check=check, **data), sort_keys=True), flush=True)


def error(call):
    try:
        call()
    except HttpError as e:
        return dict(status=e.resp.status, body=e.content.decode("utf-8"), reason=json.loads(e.content)["error"]
                    ["errors"][0]["reason"])
    raise AssertionError("expected an error")


def wait(gce, op):
    if "zone" in op:
        return gce.zoneOperations().wait(project=PROJECT, zone=ZONE, operation=op["name"]).execute()
    return gce.globalOperations().wait(project=PROJECT, operation=op["name"]).execute()


gce = compute(ENDPOINT)
report("client", googleapiclient=googleapiclient.__version__, httplib2=httplib2.__version__)

# Fingerprints decode, and metadata changes with the current one.
project = gce.projects().get(project=PROJECT).execute()
fingerprint = project["commonInstanceMetadata"]["fingerprint"]
op = gce.projects().setCommonInstanceMetadata(project=PROJECT, body={
    "fingerprint": fingerprint, "items": [{"key": "enable-oslogin", "value": "TRUE"}]}).execute()
wait(gce, op)
stale = error(lambda: gce.projects().setCommonInstanceMetadata(project=PROJECT, body={
    "fingerprint": fingerprint, "items": []}).execute())
report("metadata", projectNumber=project["id"], fingerprintBytes=len(base64.b64decode(fingerprint, validate=True)),
       items=gce.projects().get(project=PROJECT).execute()["commonInstanceMetadata"]["items"], stale=stale)

# Lifecycle: an instance from an image family view (what gcloud --image-family sends), stopped,
# imaged from its disk, the image and the instance deleted.
def instance(name, labels):
    return {"name": name, "machineType": "zones/%s/machineTypes/e2-small" % ZONE, "labels": labels,
            "disks": [{"boot": True, "autoDelete": True, "initializeParams": {
                "sourceImage": "projects/debian-cloud/zones/-/imageFamilyViews/debian-12"}}],
            "networkInterfaces": [{"network": "global/networks/default",
                                   "accessConfigs": [{"type": "ONE_TO_ONE_NAT", "name": "External NAT"}]}]}


done = wait(gce, gce.instances().insert(project=PROJECT, zone=ZONE, body=instance("vm", {"kiln-build": "b-1"}))
            .execute())
vm = gce.instances().get(project=PROJECT, zone=ZONE, instance="vm").execute()
boot = gce.disks().get(project=PROJECT, zone=ZONE, disk="vm").execute()
wait(gce, gce.instances().stop(project=PROJECT, zone=ZONE, instance="vm").execute())
image_op = wait(gce, gce.images().insert(project=PROJECT, body={
    "name": "kiln-image", "family": "kiln", "sourceDisk": vm["disks"][0]["source"],
    "labels": {"kiln-build": "b-1"}}).execute())
image = gce.images().getFromFamily(project=PROJECT, family="kiln").execute()
wait(gce, gce.images().delete(project=PROJECT, image="kiln-image").execute())
wait(gce, gce.instances().delete(project=PROJECT, zone=ZONE, instance="vm").execute())
report("lifecycle", insert=done["status"], status=vm["status"],
       sourceImage=boot["sourceImage"],
       imageOperation=image_op["status"], image=image["name"], imageStatus=image["status"],
       instanceGone=error(lambda: gce.instances().get(project=PROJECT, zone=ZONE, instance="vm").execute())["reason"])

# Lists: a label filter, paging with maxResults and list_next, an aggregated list paged across scopes.
for i in range(5):
    gce.instances().insert(project=PROJECT, zone=ZONE, body=instance("web-%d" % i, {"team": "kiln"})).execute()
names = []
request = gce.instances().list(project=PROJECT, zone=ZONE, filter="labels.team=kiln", maxResults=2)
pages = 0
while request is not None:
    page = request.execute()
    names += [i["name"] for i in page.get("items", [])]
    pages += 1
    request = gce.instances().list_next(request, page)
scoped = []
request = gce.globalOperations().aggregatedList(project=PROJECT, maxResults=3)
while request is not None:
    page = request.execute()
    for scope, held in page["items"].items():
        scoped += [scope for _ in held.get("operations", [])]
    request = gce.globalOperations().aggregatedList_next(request, page)
report("lists", names=names, pages=pages, operationScopes=sorted(set(scoped)), operations=len(scoped))

# Batch: three calls in one request, answered in order, one of them not found.
answers = {}


def collect(request_id, response, exception):
    answers[request_id] = exception.resp.status if exception else response["name"]


batch = gce.new_batch_http_request(callback=collect)
batch.add(gce.zones().get(project=PROJECT, zone=ZONE), request_id="zone")
batch.add(gce.instances().get(project=PROJECT, zone=ZONE, instance="web-0"), request_id="instance")
batch.add(gce.images().get(project=PROJECT, image="missing"), request_id="missing")
batch.execute()
report("batch", answers=answers)

# Errors as Compute Engine writes them.
report("notFound", **error(lambda: gce.images().get(project=PROJECT, image="missing").execute()))
response, content = authorized(ENDPOINT).request(
    ENDPOINT + "/compute/v1/projects/%s/zones/%s/instanceGroups" % (PROJECT, ZONE))
report("unsupported", status=response.status, body=content.decode("utf-8"))

# Rate quotas: each throttled emulator's read window holds two calls.
for key, endpoint in (("throttled", os.environ["KILN_THROTTLED_ENDPOINT"]),
                      ("throttled429", os.environ["KILN_THROTTLED_429_ENDPOINT"])):
    other = compute(endpoint)
    other.zones().get(project=PROJECT, zone=ZONE).execute()
    other.zones().get(project=PROJECT, zone=ZONE).execute()
    report(key, **error(lambda: other.zones().get(project=PROJECT, zone=ZONE).execute()))
