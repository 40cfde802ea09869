disk_size   = 30
preemptible = true
labels      = { team = "platform" }
