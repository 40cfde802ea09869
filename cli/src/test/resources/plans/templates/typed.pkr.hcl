variable "copies" {
  type = number
  validation {
    condition     = var.copies > 0
    error_message = "The copies must be at least 1."
  }
}

source "null" "one" {
  communicator = "none"
}

build {
  sources = ["source.null.one"]
}
