"""EC2 and Service Quotas through boto3, as a team testing against Kiln's EC2 emulator would use it.

Reads KILN_ENDPOINT (the emulator's HTTPS URL) and KILN_CA_BUNDLE (the test CA in PEM); AWS
credentials and region come from the usual AWS_* variables. Prints one JSON object per check on
standard output, for the JUnit test to assert: what boto3 returned, and for errors what it
received on the wire (status and body, byte for byte). Exits non-zero on anything unexpected.
"""
import json
import os
import sys

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["KILN_ENDPOINT"]
CA = os.environ["KILN_CA_BUNDLE"]
# One attempt: the test wants to see the throttle, not boto3's retry of it.
CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"})

wire = {}


def keep_wire(http_response, **kwargs):
    wire["status"] = http_response.status_code
    wire["body"] = http_response.content.decode("utf-8")


def client(service):
    c = boto3.client(service, endpoint_url=ENDPOINT, verify=CA, config=CONFIG)
    c.meta.events.register("after-call.*.*", keep_wire)
    return c


def report(check, **data):
    print(json.dumps(dict(check=check, **data), sort_keys=True), flush=True)


def error(call):
    try:
        call()
    except ClientError as e:
        return dict(code=e.response["Error"]["Code"], message=e.response["Error"]["Message"],
                    status=wire["status"], body=wire["body"])
    raise AssertionError("expected an error")


ec2 = client("ec2")
report("client", boto3=boto3.__version__, botocore=botocore.__version__)

# Lifecycle: an instance from a public image, tagged; an image of it; the image gone, the instance ended.
ami = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["al2023-ami-*"]}])["Images"][0]
run = ec2.run_instances(ImageId=ami["ImageId"], InstanceType="t3.micro", MinCount=1, MaxCount=1,
                        TagSpecifications=[{"ResourceType": "instance",
                                            "Tags": [{"Key": "kiln:build-id", "Value": "conformance"}]}])
instance = run["Instances"][0]["InstanceId"]
ec2.get_waiter("instance_running").wait(InstanceIds=[instance], WaiterConfig={"Delay": 1, "MaxAttempts": 30})
image = ec2.create_image(InstanceId=instance, Name="kiln-conformance-image")["ImageId"]
ec2.get_waiter("image_available").wait(ImageIds=[image], WaiterConfig={"Delay": 1, "MaxAttempts": 30})
state = ec2.describe_images(ImageIds=[image])["Images"][0]["State"]
ec2.deregister_image(ImageId=image)
ec2.terminate_instances(InstanceIds=[instance])
ec2.get_waiter("instance_terminated").wait(InstanceIds=[instance], WaiterConfig={"Delay": 1, "MaxAttempts": 30})
report("lifecycle", instance=instance, image=image, imageState=state,
       deregistered=error(lambda: ec2.describe_images(ImageIds=[image]))["code"],
       instanceState=ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]["State"]["Name"])

# Lists: a tag filter, and paging through a paginator with a small page size.
ids = [i["InstanceId"] for i in ec2.run_instances(ImageId=ami["ImageId"], InstanceType="t3.micro", MinCount=7,
                                                   MaxCount=7, TagSpecifications=[{"ResourceType": "instance",
                                                   "Tags": [{"Key": "team", "Value": "kiln"}]}])["Instances"]]
tagged = ec2.describe_instances(Filters=[{"Name": "tag:team", "Values": ["kiln"]}])
pages = list(ec2.get_paginator("describe_instances").paginate(
    Filters=[{"Name": "tag:team", "Values": ["kiln"]}], PaginationConfig={"PageSize": 5}))
paged = [i["InstanceId"] for p in pages for r in p["Reservations"] for i in r["Instances"]]
small = ec2.describe_instances(Filters=[{"Name": "tag:team", "Values": ["kiln"]}], MaxResults=5)
rest = ec2.describe_instances(Filters=[{"Name": "tag:team", "Values": ["kiln"]}], MaxResults=5,
                              NextToken=small["NextToken"]) if "NextToken" in small else None
report("lists", launched=sorted(ids),
       filtered=sorted(i["InstanceId"] for r in tagged["Reservations"] for i in r["Instances"]),
       paged=sorted(paged), firstPage=sum(len(r["Instances"]) for r in small["Reservations"]),
       hasNextToken="NextToken" in small)
ec2.terminate_instances(InstanceIds=ids)

# Service Quotas, JSON 1.1 on the same endpoint.
quotas = client("service-quotas")
quota = quotas.get_service_quota(ServiceCode="ec2", QuotaCode="L-1216C47A")["Quota"]
report("quota", code=quota["QuotaCode"], value=quota["Value"], unit=quota.get("Unit"))

# Errors as EC2 writes them.
report("notFound", **error(lambda: ec2.describe_instances(InstanceIds=["i-0123456789abcdef0"])))
report("unsupported", **error(lambda: ec2.describe_vpc_endpoint_services()))

# The throttle: the test gave DescribeRegions a bucket of two.
ec2.describe_regions()
ec2.describe_regions()
report("throttled", **error(lambda: ec2.describe_regions()))
