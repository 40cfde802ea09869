variable "copies" {
  type = number
}

source "null" "one" {
  communicator = "none"
}

build {
  sources = ["source.null.one"]
}
