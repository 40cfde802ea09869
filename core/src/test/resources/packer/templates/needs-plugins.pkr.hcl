packer {
  required_plugins {
    amazon = {
      version = "~> 1.2.5"
      source  = "github.com/hashicorp/amazon"
    }
  }
}

source "null" "box" {
  communicator = "none"
}

build {
  sources = ["source.null.box"]
}
