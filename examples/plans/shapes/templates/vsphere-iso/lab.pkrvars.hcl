vcenter_server = "vcenter.lab.example"
datacenter     = "dc-lab"
datastore      = "ds-ssd-01"
iso_paths      = ["[ds-iso] rhel/rhel-9.3-x86_64-dvd.iso"]
