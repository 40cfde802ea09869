variable "vcenter_server" {
  type = string
}

variable "vcenter_username" {
  type    = string
  default = "packer@vsphere.local"
}

variable "vcenter_password" {
  type      = string
  sensitive = true
}

variable "datacenter" {
  type = string
}

variable "cluster" {
  type = string
}

variable "datastore" {
  type = string
}

variable "network" {
  type    = string
  default = "VM Network"
}

variable "vm_name" {
  type    = string
  default = "rhel9-golden"
}

variable "cpus" {
  type    = number
  default = 2
}

variable "memory_mb" {
  type    = number
  default = 4096
}

variable "disk_sizes_mb" {
  type    = list(number)
  default = [40960]
}

variable "convert_to_template" {
  type    = bool
  default = true
}

variable "content_library" {
  type = object({
    library = string
    ovf     = bool
  })
  default = {
    library = "golden-images"
    ovf     = false
  }
}

source "vsphere-iso" "rhel9" {
  vcenter_server      = var.vcenter_server
  username            = var.vcenter_username
  password            = var.vcenter_password
  insecure_connection = true

  datacenter = var.datacenter
  cluster    = var.cluster
  datastore  = var.datastore
  folder     = "Templates/Golden"

  vm_name              = var.vm_name
  guest_os_type        = "rhel9_64Guest"
  CPUs                 = var.cpus
  RAM                  = var.memory_mb
  RAM_reserve_all      = false
  convert_to_template  = var.convert_to_template
  disk_controller_type = ["pvscsi"]

  dynamic "storage" {
    for_each = var.disk_sizes_mb
    content {
      disk_size             = storage.value
      disk_thin_provisioned = true
    }
  }

  network_adapters {
    network      = var.network
    network_card = "vmxnet3"
  }

  iso_paths = ["[${var.datastore}] iso/rhel-9.3-x86_64-dvd.iso"]
  boot_command = [
    "<up><wait><tab> inst.text inst.ks=http://{{ .HTTPIP }}:{{ .HTTPPort }}/ks.cfg<enter>"
  ]
  http_directory = "http"

  content_library_destination {
    library = var.content_library.library
    name    = "${var.vm_name}-${var.cpus}cpu"
    ovf     = var.content_library.ovf
  }

  ssh_username = "root"
  ssh_password = var.vcenter_password
}

build {
  sources = ["source.vsphere-iso.rhel9"]

  provisioner "shell" {
    inline = ["dnf -y update", "dnf clean all"]
  }
}
