# The variables Kiln sets for every build, declared so the template can read them.
variable "kiln_region" {
  type = string
}

variable "kiln_image_name" {
  type = string
}

variable "kiln_build_id" {
  type = string
}

variable "kiln_instance" {
  type    = string
  default = "t3.small"
}

# The team's own.
variable "app_version" {
  type    = string
  default = "1.0.0"
}

variable "packages" {
  type    = list(string)
  default = ["nginx", "jq"]
}
