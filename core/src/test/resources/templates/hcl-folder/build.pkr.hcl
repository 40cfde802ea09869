build {
  name    = "base"
  sources = ["source.amazon-ebs.ubuntu", "source.amazon-ebs.al2"]

  provisioner "shell" {
    inline = ["sudo apt-get update || sudo yum makecache"]
  }

  provisioner "shell" {
    only   = ["amazon-ebs.ubuntu"]
    inline = ["sudo apt-get install -y unattended-upgrades"]
  }

  post-processor "manifest" {
    output     = "manifest-base.json"
    strip_path = true
  }
}

build {
  name = "hardened"

  source "source.amazon-ebs.ubuntu" {
    name          = "ubuntu-hardened"
    instance_type = "t3.medium"
  }

  provisioner "shell" {
    environment_vars = ["VAULT_TOKEN=${var.vault_token}"]
    script           = "${path.root}/scripts/harden.sh"
  }
}
