package dev.kiln.emulators.vsphere;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * One XML element of the vim25 SOAP API as the emulator keeps it: its local name, its
 * {@code xsi:type} (prefix stripped: clients send {@code xsd:string} without declaring
 * {@code xsd}, and govmomi binds the XSI namespace to the prefix {@code XMLSchema-instance}),
 * its attributes without a namespace (a managed object reference's {@code type}), its text and
 * its children. Requests are read into nodes, and property values and device specs are kept as
 * nodes and written back as they came, so what a client sent is what it reads again. Not
 * thread-safe; the inventory's lock guards the nodes it holds.
 */
final class Node {

    private static final String XSI = XMLConstants.W3C_XML_SCHEMA_INSTANCE_NS_URI;
    private static final XMLInputFactory XML = XMLInputFactory.newFactory();

    static {
        // A SOAP request has no business with entities or DTDs.
        XML.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XML.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        XML.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    }

    String name;
    /** The {@code xsi:type}, without its prefix; null when the element has none. */
    String type;
    /**
     * The type this node has where the schema fixes it (an enum field's, a count's): written only
     * when the node is asked for on its own, as a property value, which always carries its type.
     */
    String valType;
    final Map<String, String> attrs = new LinkedHashMap<>();
    String text = "";
    final List<Node> children = new ArrayList<>();

    Node(String name) {
        this.name = name;
    }

    /** An element with text. */
    static Node text(String name, String type, Object value) {
        Node n = new Node(name);
        n.type = type;
        n.text = String.valueOf(value);
        return n;
    }

    /** A managed object reference, e.g. {@code <vm type="VirtualMachine">vm-1012</vm>}. */
    static Node ref(String name, MoRef ref) {
        Node n = new Node(name);
        n.type = "ManagedObjectReference";
        n.attrs.put("type", ref.type());
        n.text = ref.value();
        return n;
    }

    /** A data object of {@code type}. */
    static Node object(String name, String type) {
        Node n = new Node(name);
        n.type = type;
        return n;
    }

    /** An {@code ArrayOf<item>} value whose elements are named {@code item}. */
    static Node array(String name, String item, List<Node> items) {
        Node n = new Node(name);
        n.type = "ArrayOf" + Character.toUpperCase(item.charAt(0)) + item.substring(1);
        for (Node i : items) {
            Node copy = i.copy();
            copy.name = item;
            if (copy.type != null && (copy.type.equals("ManagedObjectReference") || copy.type.startsWith("xsd:"))) {
                // The array's type says what its items are.
                copy.type = null;
            }
            n.children.add(copy);
        }
        return n;
    }

    // ------------------------------------------------------------------ building

    /** This node without its {@code xsi:type}: a field whose type the schema fixes. */
    Node untyped() {
        type = null;
        return this;
    }

    Node add(Node child) {
        children.add(child);
        return this;
    }

    /** Adds a field of a data object whose type, as a property value on its own, is {@code valueType}. */
    Node field(String childName, Object value, String valueType) {
        if (value != null) {
            Node c = text(childName, null, value);
            c.valType = valueType;
            children.add(c);
        }
        return this;
    }

    /** Adds a child with text and no type (a field of a data object). */
    Node add(String childName, Object value) {
        if (value != null) {
            children.add(text(childName, null, value));
        }
        return this;
    }

    Node addRef(String childName, MoRef ref) {
        if (ref != null) {
            Node r = ref(childName, ref);
            r.type = null;
            children.add(r);
        }
        return this;
    }

    // ------------------------------------------------------------------ reading

    Node child(String childName) {
        for (Node c : children) {
            if (c.name.equals(childName)) {
                return c;
            }
        }
        return null;
    }

    List<Node> all(String childName) {
        List<Node> out = new ArrayList<>();
        for (Node c : children) {
            if (c.name.equals(childName)) {
                out.add(c);
            }
        }
        return out;
    }

    /** The text of child {@code childName}, or null when there is no such child. */
    String text(String childName) {
        Node c = child(childName);
        return c == null ? null : c.text;
    }

    boolean bool(String childName, boolean fallback) {
        String t = text(childName);
        return t == null || t.isBlank() ? fallback : Boolean.parseBoolean(t.strip());
    }

    long number(String childName, long fallback) {
        String t = text(childName);
        if (t == null || t.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(t.strip());
        } catch (NumberFormatException e) {
            throw VimFault.invalidArgument(childName);
        }
    }

    /** This element read as a managed object reference. */
    MoRef asRef() {
        String t = attrs.get("type");
        if (t == null) {
            throw VimFault.invalidArgument(name);
        }
        return new MoRef(t, text.strip());
    }

    /** The reference child {@code childName} holds, or null. */
    MoRef ref(String childName) {
        Node c = child(childName);
        return c == null ? null : c.asRef();
    }

    Node copy() {
        Node n = new Node(name);
        n.type = type;
        n.valType = valType;
        n.attrs.putAll(attrs);
        n.text = text;
        for (Node c : children) {
            n.children.add(c.copy());
        }
        return n;
    }

    /** Replaces the text of child {@code childName}, adding it (last) when missing. */
    void set(String childName, Object value) {
        Node c = child(childName);
        if (c == null) {
            add(childName, value);
        } else {
            c.text = String.valueOf(value);
        }
    }

    void remove(String childName) {
        children.removeIf(c -> c.name.equals(childName));
    }

    // ------------------------------------------------------------------ XML

    /** Reads a document, namespace-aware; the root element's node. */
    static Node parse(byte[] xml) {
        try {
            XMLStreamReader r = XML.createXMLStreamReader(new ByteArrayInputStream(xml));
            try {
                while (r.hasNext()) {
                    if (r.next() == XMLStreamConstants.START_ELEMENT) {
                        return read(r);
                    }
                }
                throw new XMLStreamException("no element in the document");
            } finally {
                r.close();
            }
        } catch (XMLStreamException e) {
            throw VimFault.invalidRequest("the request is not well-formed XML: " + e.getMessage());
        }
    }

    private static Node read(XMLStreamReader r) throws XMLStreamException {
        Node n = new Node(r.getLocalName());
        for (int i = 0; i < r.getAttributeCount(); i++) {
            String ns = r.getAttributeNamespace(i);
            String local = r.getAttributeLocalName(i);
            if (XSI.equals(ns) && "type".equals(local)) {
                // Primitive types keep their xsd: prefix, so they are written back as primitives.
                String v = r.getAttributeValue(i).strip();
                int colon = v.indexOf(':');
                n.type = colon < 0 || v.startsWith("xsd:") ? v : v.substring(colon + 1);
            } else if (ns == null || ns.isEmpty()) {
                n.attrs.put(local, r.getAttributeValue(i));
            }
        }
        StringBuilder text = new StringBuilder();
        while (r.hasNext()) {
            int event = r.next();
            switch (event) {
                case XMLStreamConstants.START_ELEMENT -> n.children.add(read(r));
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE ->
                        text.append(r.getText());
                case XMLStreamConstants.END_ELEMENT -> {
                    n.text = n.children.isEmpty() ? text.toString() : "";
                    return n;
                }
                default -> {
                }
            }
        }
        throw new XMLStreamException("unexpected end of the document in <" + n.name + ">");
    }

    /** Writes this node as a property value, {@code <val>}: always with its type. */
    void writeAsValue(String element, StringBuilder out) {
        Node v = copy();
        v.name = element;
        if (v.type == null) {
            v.type = v.valType != null ? v.valType : v.attrs.containsKey("type") ? "ManagedObjectReference"
                    : "xsd:string";
        }
        v.write(out);
    }

    /** Writes this node (its {@code xsi:type} when it has one) into {@code out}. */
    void write(StringBuilder out) {
        out.append('<').append(name);
        if (type != null) {
            out.append(" xsi:type=\"").append(type).append('"');
        }
        attrs.forEach((k, v) -> out.append(' ').append(k).append("=\"").append(escape(v)).append('"'));
        if (children.isEmpty() && text.isEmpty()) {
            out.append("/>");
            return;
        }
        out.append('>');
        if (children.isEmpty()) {
            out.append(escape(text));
        } else {
            for (Node c : children) {
                c.write(out);
            }
        }
        out.append("</").append(name).append('>');
    }

    static String escape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '&' -> "&amp;";
                case '"' -> "&quot;";
                default -> null;
            };
            if (rep != null || (c < 0x20 && c != '\n' && c != '\r' && c != '\t')) {
                if (b == null) {
                    b = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                b.append(rep != null ? rep : "&#" + (int) c + ";");
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        write(b);
        return b.toString();
    }
}
