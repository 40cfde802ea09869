package dev.kiln.vsphere.internal;

/** Target options a plan may set for vSphere targets. */
final class Options {

    static final String DATACENTER = "datacenter";
    static final String DATASTORE = "datastore";
    static final String FOLDER = "folder";
    static final String LIBRARY = "library";
    static final String NETWORK = "network";
    static final String SOURCE = "source";

    private Options() {
    }
}
