package dev.kiln.emulators.aws;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/** Writes the small, namespaced XML documents of the EC2 Query protocol. Null leaves are left out. */
final class Xml {

    static final String NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final StringBuilder out = new StringBuilder(1024);
    private final Deque<String> open = new ArrayDeque<>();

    private Xml() {
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }

    /** A response document {@code <ActionResponse xmlns=...><requestId>..</requestId>}. */
    static Xml response(String action, String requestId) {
        Xml x = new Xml();
        x.out.append('<').append(action).append("Response xmlns=\"").append(NAMESPACE).append("\">");
        x.open.push(action + "Response");
        x.leaf("requestId", requestId);
        return x;
    }

    /** The Query protocol's error document. */
    static String error(String code, String message, String requestId) {
        Xml x = new Xml();
        x.start("Response").start("Errors").start("Error").leaf("Code", code).leaf("Message", message).end().end()
                .leaf("RequestID", requestId).end();
        return x.finish();
    }

    static String time(Instant t) {
        return TIME.format(t);
    }

    Xml start(String name) {
        out.append('<').append(name).append('>');
        open.push(name);
        return this;
    }

    Xml end() {
        out.append("</").append(open.pop()).append('>');
        return this;
    }

    Xml leaf(String name, String value) {
        if (value != null) {
            out.append('<').append(name).append('>');
            escape(value);
            out.append("</").append(name).append('>');
        }
        return this;
    }

    Xml leaf(String name, long value) {
        return leaf(name, Long.toString(value));
    }

    Xml leaf(String name, boolean value) {
        return leaf(name, Boolean.toString(value));
    }

    Xml leaf(String name, Instant value) {
        return value == null ? this : leaf(name, time(value));
    }

    /** {@code <tagSet><item><key>..</key><value>..</value></item>...</tagSet>}; nothing when empty, as EC2 does. */
    Xml tags(Map<String, String> tags) {
        if (tags.isEmpty()) {
            return this;
        }
        start("tagSet");
        tags.forEach((k, v) -> start("item").leaf("key", k).leaf("value", v).end());
        return end();
    }

    String finish() {
        while (!open.isEmpty()) {
            end();
        }
        return out.toString();
    }

    private void escape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append(c);
            }
        }
    }
}
