variable "subnets" {
  type = list(string)
}

variable "labels" {
  type = map(string)
}

variable "disk_size" {
  type = number
}

variable "preemptible" {
  type = bool
}

variable "release" {
  type    = string
  default = "12"
}

source "null" "typed" {
  communicator = "none"
}

build {
  sources = ["source.null.typed"]

  provisioner "shell-local" {
    inline = [
      "echo subnets=${join("+", var.subnets)} team=${var.labels["team"]} disk=${var.disk_size + 1} preemptible=${var.preemptible} release=${var.release}",
    ]
  }
}
