# An amazon-ebs template that also builds against Kiln's EC2 emulator (bin/demo, CI): the endpoint
# comes from KILN_AWS_ENDPOINT, which Kiln's AWS provider gives every build when an endpoint is set,
# and is empty (the real EC2) otherwise. Nothing to SSH into on an emulator: communicator none.
variable "kiln_region" {
  type = string
}

variable "kiln_image_name" {
  type = string
}

variable "kiln_build_id" {
  type = string
}

variable "kiln_instance" {
  type = string
}

variable "kiln_expires_at" {
  type    = string
  default = ""
}

variable "ec2_endpoint" {
  type    = string
  default = env("KILN_AWS_ENDPOINT")
}

variable "fail_after_launch" {
  type        = bool
  default     = false
  description = "Fail once the instance runs: shows that a failed build leaves nothing behind."
}

locals {
  tags = {
    "kiln:build-id"   = var.kiln_build_id
    "kiln:expires-at" = var.kiln_expires_at
  }
}

source "amazon-ebs" "base" {
  region                     = var.kiln_region
  ami_name                   = var.kiln_image_name
  instance_type              = var.kiln_instance
  custom_endpoint_ec2        = var.ec2_endpoint
  skip_region_validation     = true
  skip_credential_validation = true
  skip_metadata_api_check    = true
  communicator               = "none"
  source_ami_filter {
    filters = {
      name                = "amzn2-ami-hvm-*-x86_64-gp2"
      root-device-type    = "ebs"
      virtualization-type = "hvm"
    }
    owners      = ["amazon"]
    most_recent = true
  }
  tags            = local.tags
  run_tags        = local.tags
  run_volume_tags = local.tags
  snapshot_tags   = local.tags
}

build {
  sources = ["source.amazon-ebs.base"]

  provisioner "shell-local" {
    inline = ["test '${var.fail_after_launch}' != 'true' || { echo 'failing after launch, as asked' >&2; exit 1; }"]
  }
}
