# One base image on two clouds: an amazon-ebs and an azure-arm source in one build. packer 1.6.6
# has both builders built in; with packer 1.7 or later the team would add
#   packer { required_plugins { amazon = { ... } azure = { ... } } }
# which Kiln checks in preflight together with the plan's pins (docs/templates.md).

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

variable "azure_subscription_id" {
  type    = string
  default = "00000000-0000-4000-8000-000000000000"
}

variable "azure_resource_group" {
  type    = string
  default = "rg-images"
}

source "amazon-ebs" "base" {
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
  tags     = { "kiln:build-id" = var.kiln_build_id }
  run_tags = { "kiln:build-id" = var.kiln_build_id }
}

source "azure-arm" "base" {
  use_azure_cli_auth                = true
  subscription_id                   = var.azure_subscription_id
  location                          = var.kiln_region
  managed_image_name                = var.kiln_image_name
  managed_image_resource_group_name = var.azure_resource_group
  vm_size                           = var.kiln_instance
  os_type                           = "Linux"
  image_publisher                   = "Canonical"
  image_offer                       = "0001-com-ubuntu-server-jammy"
  image_sku                         = "22_04-lts"
  azure_tags                        = { "kiln-build-id" = var.kiln_build_id }
}

build {
  sources = ["source.amazon-ebs.base", "source.azure-arm.base"]

  provisioner "shell" {
    inline = ["sudo apt-get update -q", "sudo apt-get install -y -q unattended-upgrades"]
  }
}
