variable "copies" {
  type = number
  validation {
    condition     = var.copies > 0
    error_message = "The copies must be at least 1."
  }
}

source "null" "box" {
  communicator = "none"
}

build {
  sources = ["source.null.box"]
}
