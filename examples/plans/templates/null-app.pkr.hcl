variable "app_version" {
  type    = string
  default = "0.0.0"
}

variable "api_token" {
  type      = string
  default   = ""
  sensitive = true
}

source "null" "app" {
  communicator = "none"
}

build {
  sources = ["source.null.app"]

  provisioner "shell-local" {
    inline = [
      "echo 'installing app ${var.app_version}'",
      "test -n '${var.api_token}' && echo 'api token present'",
      "sleep 3",
    ]
  }
}
