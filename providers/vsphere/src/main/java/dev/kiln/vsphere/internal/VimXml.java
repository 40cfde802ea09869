package dev.kiln.vsphere.internal;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The little of XML the vim25 client needs: an envelope around a method element, escaping, and
 * answers read namespace-aware into elements by local name (a reference's {@code type} attribute
 * kept, {@code xsi:type} read with its prefix stripped).
 */
final class VimXml {

    private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
    private static final XMLInputFactory FACTORY = XMLInputFactory.newFactory();

    static {
        FACTORY.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        FACTORY.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        FACTORY.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    }

    final String name;
    final String type;
    final String refType;
    final String text;
    final List<VimXml> children;

    private VimXml(String name, String type, String refType, String text, List<VimXml> children) {
        this.name = name;
        this.type = type;
        this.refType = refType;
        this.text = text;
        this.children = children;
    }

    static String envelope(String method) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope"
                + " xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
                + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>" + method
                + "</soapenv:Body></soapenv:Envelope>";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** {@code <name type="Type">value</name>}. */
    static String ref(String name, String type, String value) {
        return "<" + name + " type=\"" + escape(type) + "\">" + escape(value) + "</" + name + ">";
    }

    static VimXml parse(byte[] xml) throws XMLStreamException {
        XMLStreamReader r = FACTORY.createXMLStreamReader(new ByteArrayInputStream(xml));
        try {
            while (r.hasNext()) {
                if (r.next() == XMLStreamConstants.START_ELEMENT) {
                    return read(r);
                }
            }
            throw new XMLStreamException("no element in the answer");
        } finally {
            r.close();
        }
    }

    private static VimXml read(XMLStreamReader r) throws XMLStreamException {
        String name = r.getLocalName();
        String type = null;
        String refType = null;
        for (int i = 0; i < r.getAttributeCount(); i++) {
            String ns = r.getAttributeNamespace(i);
            if (XSI.equals(ns) && "type".equals(r.getAttributeLocalName(i))) {
                String v = r.getAttributeValue(i);
                type = v.substring(v.indexOf(':') + 1);
            } else if ((ns == null || ns.isEmpty()) && "type".equals(r.getAttributeLocalName(i))) {
                refType = r.getAttributeValue(i);
            }
        }
        List<VimXml> children = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        while (r.hasNext()) {
            switch (r.next()) {
                case XMLStreamConstants.START_ELEMENT -> children.add(read(r));
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> text.append(r.getText());
                case XMLStreamConstants.END_ELEMENT -> {
                    return new VimXml(name, type, refType, children.isEmpty() ? text.toString().strip() : "",
                            List.copyOf(children));
                }
                default -> {
                }
            }
        }
        throw new XMLStreamException("the answer ends inside <" + name + ">");
    }

    VimXml child(String childName) {
        for (VimXml c : children) {
            if (c.name.equals(childName)) {
                return c;
            }
        }
        return null;
    }

    List<VimXml> all(String childName) {
        return children.stream().filter(c -> c.name.equals(childName)).toList();
    }

    /** The text of child {@code childName}, or null. */
    String text(String childName) {
        VimXml c = child(childName);
        return c == null ? null : c.text;
    }
}
