packer {
  required_version = ">= 1.7.0"
}

source "null" "box" {
  communicator = "none"
}

build {
  sources = ["source.null.box"]
}
