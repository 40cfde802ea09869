// Inputs of the platform base images. Values per environment live in ../envs/*.pkrvars.hcl.

variable "aws_region" {
  type        = string
  default     = "eu-central-1"
  description = "Region the build instance runs in."
}

variable "image_prefix" {
  type    = string
  default = "platform-base"

  validation {
    condition     = length(var.image_prefix) <= 40 && substr(var.image_prefix, 0, 1) != "-"
    error_message = "The image_prefix must be at most 40 characters and not start with '-'."
  }
}

variable "instance_type" {
  type    = string
  default = "t3.small"
}

variable "environment" {
  type = string
}

variable "owners" {
  type    = list(string)
  default = ["099720109477", "137112412989"]
}

variable "extra_tags" {
  type    = map(string)
  default = {}
}

variable "vault_token" {
  type      = string
  default   = ""
  sensitive = true
}

locals {
  stamp      = formatdate("YYYYMMDDhhmm", timestamp())
  name_base  = "${var.image_prefix}-${var.environment}"
  common_tags = merge(var.extra_tags, {
    Environment = var.environment
    ManagedBy   = "packer"
  })
}
