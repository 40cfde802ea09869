package dev.kiln.emulators.gcp;

import dev.kiln.emulators.spi.EmulatorServer;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compute Engine's batch endpoint, {@value #PATH}: a {@code multipart/mixed} body whose parts are
 * {@code application/http} requests, as google-api-python-client, apitools (gcloud) and the other
 * Google clients send it. Every inner request is answered by the emulator's own pipeline, so each
 * is routed, fault-injected, charged, counted and journaled as if sent alone (Compute Engine counts
 * them against the quotas one by one); the answers come back in order, each under
 * {@code Content-ID: <response-ID>}. The batch itself is journaled as {@code batch}.
 */
final class GceBatch implements EmulatorServer.Handler {

    static final String PATH = "/batch/compute/v1";
    /** Compute Engine takes at most this many calls in one batch. */
    static final int MAX_PARTS = 1000;
    private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary=(\"([^\"]+)\"|[^;\\s]+)");
    private static final Map<Integer, String> REASONS = Map.ofEntries(Map.entry(200, "OK"),
            Map.entry(204, "No Content"), Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"),
            Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"), Map.entry(409, "Conflict"),
            Map.entry(412, "Precondition Failed"), Map.entry(429, "Too Many Requests"),
            Map.entry(500, "Internal Server Error"), Map.entry(503, "Service Unavailable"));

    private final EmulatorServer.Handler compute;
    private final BiConsumer<Integer, String> journal;
    private long batches;

    /**
     * @param compute answers one inner request (the Compute Engine pipeline)
     * @param journal counts and journals the batch by its status and error reason (null when answered)
     */
    GceBatch(EmulatorServer.Handler compute, BiConsumer<Integer, String> journal) {
        this.compute = compute;
        this.journal = journal;
    }

    static boolean accepts(Request request) {
        return request.path().equals(PATH);
    }

    @Override
    public Response handle(Request request) throws Exception {
        if (!request.method().equals("POST")) {
            return refuse(404, "notFound", "NOT_FOUND", "The requested URL " + request.method() + " " + PATH
                    + " was not found on this server.");
        }
        List<Part> parts;
        try {
            parts = parts(request);
        } catch (IllegalArgumentException e) {
            return refuse(400, "badRequest", "INVALID_ARGUMENT", "Failed to parse batch request, error: "
                    + e.getMessage() + ". Received batch body: (" + request.body().length + ") bytes redacted");
        }
        if (parts.size() > MAX_PARTS) {
            return refuse(400, "badRequest", "INVALID_ARGUMENT", "Exceeded the maximum calls(" + MAX_PARTS
                    + ") in a single batch request.");
        }
        String boundary = "batch_kiln" + Long.toHexString(nextBatch());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Part part : parts) {
            Response answer = compute.handle(part.request(request));
            write(out, "--" + boundary + "\r\nContent-Type: application/http\r\n");
            if (part.contentId != null) {
                write(out, "Content-ID: <response-" + stripBrackets(part.contentId) + ">\r\n");
            }
            write(out, "\r\nHTTP/1.1 " + answer.status() + " " + REASONS.getOrDefault(answer.status(), "Unknown")
                    + "\r\n");
            if (answer.contentType() != null) {
                write(out, "Content-Type: " + answer.contentType() + "\r\n");
            }
            for (Map.Entry<String, String> h : answer.headers().entrySet()) {
                write(out, h.getKey() + ": " + h.getValue() + "\r\n");
            }
            write(out, "Content-Length: " + answer.body().length + "\r\n\r\n");
            out.write(answer.body());
            write(out, "\r\n");
        }
        write(out, "--" + boundary + "--\r\n");
        journal.accept(200, null);
        return new Response(200, "multipart/mixed; boundary=" + boundary, out.toByteArray());
    }

    private synchronized long nextBatch() {
        return ++batches;
    }

    private Response refuse(int status, String reason, String rpcStatus, String message) {
        journal.accept(status, reason);
        return GceError.render(new GceError(status, "global", reason, rpcStatus, message,
                dev.kiln.emulators.ApiCounters.Outcome.ERROR, null));
    }

    /** One {@code application/http} part: its Content-ID and the request it carries. */
    private record Part(String contentId, String method, String target, Map<String, List<String>> headers,
            byte[] body) {

        Request request(Request batch) {
            String path = target;
            int scheme = path.indexOf("://");
            if (scheme >= 0) {
                int slash = path.indexOf('/', scheme + 3);
                path = slash < 0 ? "/" : path.substring(slash);
            }
            int q = path.indexOf('?');
            String query = q < 0 ? null : path.substring(q + 1);
            if (q >= 0) {
                path = path.substring(0, q);
            }
            Map<String, List<String>> merged = new TreeMap<>(headers);
            // Credentials may sit on the batch rather than on each part.
            if (!merged.containsKey("authorization") && batch.header("authorization") != null) {
                merged.put("authorization", List.of(batch.header("authorization")));
            }
            return new Request(method, path, query, merged, body, batch.remote(), batch.scheme());
        }
    }

    private static List<Part> parts(Request request) {
        String type = request.header("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/mixed")) {
            throw new IllegalArgumentException("the Content-Type must be multipart/mixed with a boundary, got '"
                    + type + "'");
        }
        Matcher m = BOUNDARY.matcher(type);
        if (!m.find()) {
            throw new IllegalArgumentException("the multipart/mixed Content-Type names no boundary");
        }
        String boundary = m.group(2) != null ? m.group(2) : m.group(1);
        String body = new String(request.body(), StandardCharsets.ISO_8859_1);
        String delimiter = "--" + boundary;
        List<Part> out = new ArrayList<>();
        int at = body.indexOf(delimiter);
        if (at < 0) {
            throw new IllegalArgumentException("the body holds no part delimited by --" + boundary);
        }
        while (true) {
            int start = at + delimiter.length();
            if (body.startsWith("--", start)) {
                return out;
            }
            int next = body.indexOf("\n" + delimiter, start);
            if (next < 0) {
                throw new IllegalArgumentException("the last part is not closed by --" + boundary + "--");
            }
            int end = next > 0 && body.charAt(next - 1) == '\r' ? next - 1 : next;
            out.add(part(body.substring(skipLineEnd(body, start), end)));
            at = next + 1;
        }
    }

    private static Part part(String text) {
        Block mime = block(text);
        String contentId = mime.headers.containsKey("content-id") ? mime.headers.get("content-id").get(0) : null;
        String http = mime.rest;
        int lineEnd = http.indexOf('\n');
        String requestLine = (lineEnd < 0 ? http : http.substring(0, lineEnd)).trim();
        String[] words = requestLine.split(" ");
        if (words.length < 2 || !words[0].matches("[A-Z]+")) {
            throw new IllegalArgumentException("a part does not start with an HTTP request line: '" + requestLine
                    + "'");
        }
        Block inner = block(lineEnd < 0 ? "" : http.substring(lineEnd + 1));
        byte[] body = inner.rest.getBytes(StandardCharsets.ISO_8859_1);
        return new Part(contentId, words[0], words[1], inner.headers, body);
    }

    /** Header lines up to the first empty line, names lower-cased, and what follows it. */
    private record Block(Map<String, List<String>> headers, String rest) {
    }

    private static Block block(String text) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        int pos = 0;
        while (pos < text.length()) {
            int nl = text.indexOf('\n', pos);
            String line = (nl < 0 ? text.substring(pos) : text.substring(pos, nl));
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            pos = nl < 0 ? text.length() : nl + 1;
            if (line.isEmpty()) {
                return new Block(headers, text.substring(pos));
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        k -> new ArrayList<>()).add(line.substring(colon + 1).trim());
            }
        }
        return new Block(headers, "");
    }

    private static int skipLineEnd(String body, int at) {
        int nl = body.indexOf('\n', at);
        return nl < 0 ? body.length() : nl + 1;
    }

    private static String stripBrackets(String id) {
        return id.startsWith("<") && id.endsWith(">") ? id.substring(1, id.length() - 1) : id;
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
