# Reads its scripts and files by paths relative to this directory: Kiln runs every build from its
# own copy of the directory, so they resolve as they do when the team runs packer here.
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

source "amazon-ebs" "app" {
  region        = var.kiln_region
  ami_name      = var.kiln_image_name
  instance_type = var.kiln_instance
  ssh_username  = "ubuntu"
  source_ami_filter {
    filters = {
      name                = "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"
      virtualization-type = "hvm"
    }
    owners      = ["099720109477"]
    most_recent = true
  }
  tags     = { "kiln:build-id" = var.kiln_build_id }
  run_tags = { "kiln:build-id" = var.kiln_build_id }
}

build {
  sources = ["source.amazon-ebs.app"]

  provisioner "file" {
    source      = "files/app.conf"
    destination = "/tmp/app.conf"
  }

  provisioner "shell" {
    scripts = ["scripts/install.sh", "scripts/harden.sh"]
  }

  post-processor "manifest" {
    output = "manifest.json"
  }
}
