packer {
  required_version = ">= 1.7.0, < 2.0.0"
  required_plugins {
    amazon = {
      version = ">= 1.2.1"
      source  = "github.com/hashicorp/amazon"
    }
    azure = {
      version = "~> 2.0.0"
      source  = "github.com/hashicorp/azure"
    }
  }
}

variable "aws_region" {
  type    = string
  default = "us-west-1"
}

variable "azure_location" {
  type    = string
  default = "westeurope"
}

variable "image_name" {
  type    = string
  default = "hashicups"
}

variable "azure_client_secret" {
  type      = string
  sensitive = true
}

source "amazon-ebs" "web" {
  region        = var.aws_region
  ami_name      = "${var.image_name}_{{timestamp}}"
  instance_type = "t2.micro"
  source_ami    = "ami-0d5d9d301c853a04a"
  ssh_username  = "ubuntu"
  tags = {
    Name = var.image_name
  }
}

source "azure-arm" "web" {
  client_id       = "00000000-0000-0000-0000-000000000000"
  client_secret   = var.azure_client_secret
  subscription_id = "11111111-1111-1111-1111-111111111111"
  tenant_id       = "22222222-2222-2222-2222-222222222222"

  location                          = var.azure_location
  vm_size                           = "Standard_B2s"
  os_type                           = "Linux"
  image_publisher                   = "Canonical"
  image_offer                       = "0001-com-ubuntu-server-jammy"
  image_sku                         = "22_04-lts"
  managed_image_name                = "${var.image_name}-${formatdate("YYYYMMDD", timestamp())}"
  managed_image_resource_group_name = "images-rg"

  shared_image_gallery_destination {
    resource_group      = "images-rg"
    gallery_name        = "platform_gallery"
    image_name          = var.image_name
    image_version       = "1.0.0"
    replication_regions = [var.azure_location, "northeurope"]
  }

  azure_tags = {
    app = var.image_name
  }
}

build {
  sources = ["source.amazon-ebs.web", "source.azure-arm.web"]

  provisioner "shell" {
    inline = ["echo provisioning all clouds"]
  }

  provisioner "shell" {
    only   = ["azure-arm.web"]
    inline = ["/usr/sbin/waagent -force -deprovision+user && export HISTSIZE=0 && sync"]
  }

  provisioner "shell" {
    except = ["azure-arm.web"]
    inline = <<-EOT
      echo "cleaning up on ${var.aws_region}"
      sudo rm -rf /tmp/*
    EOT
  }

  post-processors {
    post-processor "manifest" {
      output = "manifest.json"
    }
    post-processor "shell-local" {
      inline = ["jq . manifest.json"]
    }
  }
}
