variable "project_id" {
  type = string
}

variable "zone" {
  type    = string
  default = "europe-west4-a"
}

variable "image_family" {
  type    = string
  default = "platform-cos"
}

variable "source_image_family" {
  type    = string
  default = "debian-12"
}

variable "network_tags" {
  type    = list(string)
  default = ["packer-build", "allow-ssh"]
}

variable "image_licenses" {
  type    = list(string)
  default = []
}

variable "labels" {
  type = map(string)
  default = {
    team  = "platform"
    owner = "images"
  }
}

locals {
  image_name    = "${var.image_family}-${formatdate("YYYYMMDD-hhmmss", timestamp())}"
  label_pairs   = join(",", [for k, v in var.labels : "${k}=${v}"])
  upper_tags    = [for t in var.network_tags : upper(t) if t != "allow-ssh"]
}

source "googlecompute" "debian" {
  project_id          = var.project_id
  zone                = var.zone
  source_image_family = var.source_image_family
  image_name          = local.image_name
  image_family        = var.image_family
  image_licenses      = var.image_licenses
  image_labels        = var.labels
  labels              = merge(var.labels, { purpose = "packer-build" })
  machine_type        = "e2-standard-2"
  tags                = var.network_tags
  ssh_username        = "packer"
  metadata = {
    startup-script = <<EOF
#!/bin/bash
echo "labels: ${local.label_pairs}" > /etc/motd
EOF
  }
}

build {
  sources = ["source.googlecompute.debian"]

  provisioner "shell" {
    execute_command = "sudo -S env {{ .Vars }} {{ .Path }}"
    inline          = ["apt-get update", "apt-get -y upgrade"]
  }
}
