variable "region" {
  type    = string
  default = "eu-west-1"
}

source "amazon-ebs" "app" {
  region        = var.region
  ami_name      = "app-${uuidv4()}"
  instance_type = "t3.micro"
  source_ami    = "ami-0123456789abcdef0"
  ssh_username  = "ubuntu"
}

build {
  sources = ["source.amazon-ebs.app"]

  provisioner "file" {
    source      = "files/app.conf"
    destination = "/tmp/app.conf"
  }

  provisioner "shell" {
    scripts = ["scripts/base.sh", "${path.root}/scripts/app.sh"]
  }

  post-processor "manifest" {
    output = "out/manifest.json"
  }
}
