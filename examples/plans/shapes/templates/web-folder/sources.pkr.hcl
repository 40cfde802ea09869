locals {
  tags = {
    "kiln:build-id" = var.kiln_build_id
    "app-version"   = var.app_version
  }
}

source "amazon-ebs" "ubuntu" {
  region        = var.kiln_region
  ami_name      = var.kiln_image_name
  instance_type = var.kiln_instance
  ssh_username  = "ubuntu"
  source_ami_filter {
    filters = {
      name                = "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"
      root-device-type    = "ebs"
      virtualization-type = "hvm"
    }
    owners      = ["099720109477"]
    most_recent = true
  }
  tags     = local.tags
  run_tags = local.tags
}

source "amazon-ebs" "al2023" {
  region        = var.kiln_region
  ami_name      = var.kiln_image_name
  instance_type = var.kiln_instance
  ssh_username  = "ec2-user"
  source_ami_filter {
    filters = {
      name                = "al2023-ami-2023.*-x86_64"
      root-device-type    = "ebs"
      virtualization-type = "hvm"
    }
    owners      = ["amazon"]
    most_recent = true
  }
  tags     = local.tags
  run_tags = local.tags
}
