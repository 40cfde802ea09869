# The lab vCenter. The password comes from PKR_VAR_vcenter_password.
vcenter_server = "vcenter.lab.example"
datacenter     = "Lab-DC"
cluster        = "Lab-Cluster"
datastore      = "vsanDatastore"

cpus                = 4
memory_mb           = 8192
disk_sizes_mb       = [40960, 102400]
convert_to_template = false
content_library = {
  library = "lab-images"
  ovf     = true
}
scale_factor = -1.5
