variable "kiln_region" {
  type        = string
  description = "The vSphere cluster the VM is placed in: Kiln's region of a vSphere target."
}

variable "kiln_image_name" {
  type = string
}

variable "kiln_build_id" {
  type = string
}

variable "vcenter_server" {
  type = string
}

variable "vcenter_username" {
  type      = string
  sensitive = true
}

variable "vcenter_password" {
  type      = string
  sensitive = true
}

variable "datacenter" {
  type = string
}

variable "datastore" {
  type = string
}

variable "folder" {
  type    = string
  default = "templates"
}

variable "network" {
  type    = string
  default = "VM Network"
}

variable "cpus" {
  type    = number
  default = 2
}

variable "memory_mb" {
  type    = number
  default = 4096
}

variable "iso_paths" {
  type = list(string)
}

source "vsphere-iso" "rhel9" {
  vcenter_server      = var.vcenter_server
  username            = var.vcenter_username
  password            = var.vcenter_password
  insecure_connection = true

  datacenter = var.datacenter
  cluster    = var.kiln_region
  datastore  = var.datastore
  folder     = var.folder
  vm_name    = var.kiln_image_name

  guest_os_type = "rhel9_64Guest"
  CPUs          = var.cpus
  RAM           = var.memory_mb
  iso_paths     = var.iso_paths

  network_adapters {
    network      = var.network
    network_card = "vmxnet3"
  }
  storage {
    disk_size             = 40960
    disk_thin_provisioned = true
  }

  ssh_username        = "packer"
  ssh_password        = "packer"
  convert_to_template = true
}

build {
  sources = ["source.vsphere-iso.rhel9"]

  # packer 1.6.6's vSphere builders have no tags: the VM is tagged with its build id here, which is
  # how Kiln's vSphere provider verifies it and sweeps a failed build (docs/providers/vsphere.md).
  post-processor "shell-local" {
    inline = [
      "govc tags.attach -c kiln-build-id ${var.kiln_build_id} /${var.datacenter}/vm/${var.folder}/${var.kiln_image_name}",
    ]
  }
}
