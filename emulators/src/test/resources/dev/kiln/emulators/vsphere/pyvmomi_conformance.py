#!/usr/bin/env python3
"""A vim25 client Kiln did not write, pyvmomi (Debian's python3-pyvmomi), against the vCenter emulator.

Usage: pyvmomi_conformance.py HOST PORT DATACENTER SOURCE_VM FOLDER, with the user and password in
VSPHERE_USER and VSPHERE_PASSWORD. Prints one line per check ("ok ..." or "FAILED ...") and exits 1
at the first failure. pyvmomi 6.7 negotiates its version from /sdk/vimServiceVersions.xml and refuses
any element its schema does not know, so every answer it parses here is schema-valid.
"""
import os
import ssl
import sys

from pyVim.connect import Disconnect, SmartConnect
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

host, port, dc_name, source_name, folder_name = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
user, password = os.environ["VSPHERE_USER"], os.environ["VSPHERE_PASSWORD"]
# The emulator's certificate is self-signed, as a fresh vCenter's is: skip the check, as labs do.
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE


def check(what, ok):
    print(("ok " if ok else "FAILED ") + what, flush=True)
    if not ok:
        sys.exit(1)


try:
    SmartConnect(host=host, port=port, user=user, pwd=password + "-wrong", sslContext=context)
    check("a wrong password is refused", False)
except vim.fault.InvalidLogin:
    check("a wrong password is refused with vim.fault.InvalidLogin", True)

si = SmartConnect(host=host, port=port, user=user, pwd=password, sslContext=context)
content = si.RetrieveContent()
check("about: " + content.about.fullName, content.about.apiType == "VirtualCenter")

# Every VM with name and config.template, through a container view, one object per page
view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
PC = vmodl.query.PropertyCollector
spec = PC.FilterSpec(
    objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[
        PC.TraversalSpec(name="traverseEntities", path="view", skip=False, type=vim.view.ContainerView)])],
    propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name", "config.template"])])
pc = content.propertyCollector
found, pages = {}, 0
result = pc.RetrievePropertiesEx([spec], PC.RetrieveOptions(maxObjects=1))
while result is not None:
    pages += 1
    for oc in result.objects:
        props = {p.name: p.val for p in oc.propSet}
        found[props["name"]] = props["config.template"]
    result = pc.ContinueRetrievePropertiesEx(result.token) if result.token else None
view.Destroy()
check("the container view lists %s over %d page(s)" % (sorted(found), pages),
      found.get(source_name) is False and pages == len(found))

source = content.searchIndex.FindByInventoryPath(dc_name + "/vm/" + source_name)
check("FindByInventoryPath finds %s/vm/%s" % (dc_name, source_name), source is not None and source.name == source_name)
check("FindByInventoryPath answers None for nothing", content.searchIndex.FindByInventoryPath(dc_name + "/vm/none") is None)
datacenter = content.rootFolder.childEntity[0]
folder = content.searchIndex.FindChild(datacenter.vmFolder, folder_name)
check("FindChild finds the folder " + folder_name, isinstance(folder, vim.Folder) and folder.name == folder_name)

# A VM's life: clone, read in full, mark as template, destroy
clone_spec = vim.vm.CloneSpec(location=vim.vm.RelocateSpec(), powerOn=False, template=False,
                              config=vim.vm.ConfigSpec(annotation="cloned by pyvmomi"))
task = source.CloneVM_Task(folder=folder, name="pyvmomi-clone", spec=clone_spec)
WaitForTask(task, si=si)
clone = task.info.result
check("the clone task ended in success with the new VM " + clone._moId, task.info.state == "success")
check("the clone is powered off and carries its annotation",
      clone.runtime.powerState == "poweredOff" and clone.config.annotation == "cloned by pyvmomi")
kinds = sorted({type(d).__name__ for d in clone.config.hardware.device})
check("its devices parse: " + ", ".join(kinds),
      "vim.vm.device.VirtualDisk" in kinds and "vim.vm.device.VirtualIDEController" in kinds)
clone.MarkAsTemplate()
check("MarkAsTemplate makes a template", clone.config.template is True)
try:
    WaitForTask(clone.PowerOnVM_Task(), si=si)
    check("a template cannot be powered on", False)
except vmodl.MethodFault as e:
    check("a template cannot be powered on: " + type(e).__name__, isinstance(e, vmodl.fault.NotSupported))
WaitForTask(clone.Destroy_Task(), si=si)
try:
    clone.name
    check("a destroyed VM is gone", False)
except vmodl.fault.ManagedObjectNotFound:
    check("a destroyed VM is vmodl.fault.ManagedObjectNotFound", True)
try:
    si.content.sessionManager.AcquireCloneTicket()
    check("an unknown method is refused", False)
except vmodl.fault.MethodNotFound:
    check("a method the emulator lacks is vmodl.fault.MethodNotFound", True)
Disconnect(si)
print("done")
