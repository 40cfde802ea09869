package dev.kiln.emulators.vsphere;

/** A managed object reference of the vim25 API: its type and its value, e.g. {@code VirtualMachine:vm-1012}. */
record MoRef(String type, String value) {

    @Override
    public String toString() {
        return type + ":" + value;
    }
}
