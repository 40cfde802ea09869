/**
 * Kiln's vSphere provider. Exports only {@code dev.kiln.vsphere}; it speaks the vSphere Automation
 * REST API and a little of the vim25 SOAP API (StAX) with the JDK's HTTP client. Tools find the provider through the {@code ProviderFactory}
 * it provides.
 */
module dev.kiln.vsphere {
    requires transitive dev.kiln.core;
    requires java.net.http;
    requires java.xml;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports dev.kiln.vsphere;

    provides dev.kiln.spi.ProviderFactory with dev.kiln.vsphere.internal.VsphereProviderFactory;
}
