variable "kiln_image_name" {
  type = string
}

variable "kiln_build_id" {
  type = string
}

variable "kiln_instance" {
  type = string
}

variable "project_id" {
  type = string
}

variable "zone" {
  type        = string
  description = "A zone of the target's region; the plan derives it: {region}-b."
}

variable "source_image_family" {
  type    = string
  default = "debian-12"
}

variable "network_tags" {
  type    = list(string)
  default = ["packer-build"]
}

variable "packages" {
  type    = list(string)
  default = ["curl", "ca-certificates"]
}

variable "labels" {
  type    = map(string)
  default = {}
}

source "googlecompute" "debian" {
  project_id          = var.project_id
  zone                = var.zone
  source_image_family = var.source_image_family
  image_name          = var.kiln_image_name
  machine_type        = var.kiln_instance
  ssh_username        = "packer"
  tags                = var.network_tags
  image_labels        = merge(var.labels, { "kiln-build-id" = var.kiln_build_id })
  labels              = { "kiln-build-id" = var.kiln_build_id }
}

build {
  sources = ["source.googlecompute.debian"]

  provisioner "shell" {
    inline = ["sudo apt-get update -q", "sudo apt-get install -y -q ${join(" ", var.packages)}"]
  }
}
