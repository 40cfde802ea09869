environment = "dev"
extra_tags = {
  Team = "platform"
}
