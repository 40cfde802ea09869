source "amazon-ebs" "ubuntu" {
  region        = var.aws_region
  instance_type = var.instance_type
  ami_name      = "${local.name_base}-ubuntu-${local.stamp}"
  ssh_username  = "ubuntu"

  source_ami_filter {
    filters = {
      name                = "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"
      root-device-type    = "ebs"
      virtualization-type = "hvm"
    }
    owners      = [var.owners[0]]
    most_recent = true
  }

  tags = local.common_tags
}

source "amazon-ebs" "al2" {
  region        = var.aws_region
  instance_type = var.instance_type
  ami_name      = "${local.name_base}-al2-${local.stamp}"
  ssh_username  = "ec2-user"
  source_ami    = "ami-0c55b159cbfafe1f0"

  launch_block_device_mappings {
    device_name           = "/dev/xvda"
    volume_size           = 16
    volume_type           = "gp3"
    delete_on_termination = true
  }

  tags = merge(local.common_tags, { Flavor = "al2" })
}
