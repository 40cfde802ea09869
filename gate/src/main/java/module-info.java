/**
 * Kiln's gate: a loopback HTTPS proxy for packer processes. Exports only {@code dev.kiln.gate}.
 */
module dev.kiln.gate {
    requires transitive dev.kiln.core;
    requires org.bouncycastle.provider;
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.util;
    requires org.slf4j;
    requires jdk.net;

    exports dev.kiln.gate;
}
