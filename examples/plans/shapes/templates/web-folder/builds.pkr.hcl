# Two build blocks over the two sources: packer names their builds web.amazon-ebs.ubuntu and
# worker.amazon-ebs.al2023, which is what the plan's only: says.
build {
  name    = "web"
  sources = ["source.amazon-ebs.ubuntu"]

  provisioner "shell" {
    inline = ["sudo apt-get install -y ${join(" ", var.packages)}"]
  }
}

build {
  name    = "worker"
  sources = ["source.amazon-ebs.al2023"]

  provisioner "shell" {
    inline = ["sudo dnf install -y ${join(" ", var.packages)}"]
  }
}
