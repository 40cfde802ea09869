package dev.kiln.emulators.vsphere;

import dev.kiln.emulators.vsphere.Inventory.Datastore;
import dev.kiln.emulators.vsphere.VimProtocol.VimExchange;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;
import dev.kiln.emulators.spi.Query;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Datastore files: the {@code FileManager} ({@code MakeDirectory}, {@code DeleteDatastoreFile_Task}),
 * the datastore browser's {@code SearchDatastore_Task} (a missing directory is the task's
 * {@code FileNotFound}, no match a result without files: packer tells the two apart), and the
 * {@code /folder} HTTP file access packer uploads ISOs and floppies through. Paths are
 * {@code [datastore] dir/file}; doubled slashes, which packer writes, count as one.
 */
final class VimFiles {

    private final Inventory inv;
    private final VimObjects objects;
    private final Sessions sessions;

    VimFiles(VimObjects objects, Sessions sessions) {
        this.inv = objects.inv;
        this.objects = objects;
        this.sessions = sessions;
    }

    /** The datastore name of {@code [ds] path}, or null when the path has none. */
    static String datastoreName(String path) {
        if (path == null) {
            return null;
        }
        String p = path.strip();
        int close = p.indexOf(']');
        return p.startsWith("[") && close > 0 ? p.substring(1, close) : null;
    }

    /** The datastore-relative part of {@code [ds] path}, normalized: no empty segments, no leading or trailing slash. */
    static String relative(String path) {
        String p = path == null ? "" : path.strip();
        int close = p.indexOf(']');
        if (p.startsWith("[") && close > 0) {
            p = p.substring(close + 1);
        }
        List<String> parts = new ArrayList<>();
        for (String s : p.split("/")) {
            if (!s.isBlank()) {
                parts.add(s.strip());
            }
        }
        return String.join("/", parts);
    }

    private Datastore datastore(String path) {
        String name = datastoreName(path);
        for (Datastore d : inv.datastores.values()) {
            if (d.name.equals(name)) {
                return d;
            }
        }
        throw new VimFault("InvalidDatastore", "Invalid datastore path '" + path + "': no datastore named '" + name
                + "'.", Node.text("name", null, String.valueOf(path)));
    }

    private static String parent(String rel) {
        int slash = rel.lastIndexOf('/');
        return slash < 0 ? "" : rel.substring(0, slash);
    }

    private static boolean dirExists(Datastore ds, String rel) {
        return rel.isEmpty() || ds.dirs.contains(rel);
    }

    List<Node> makeDirectory(VimExchange x) {
        String name = x.text("name");
        boolean parents = x.method.bool("createParentDirectories", false);
        return inv.locked(() -> {
            Datastore ds = datastore(name);
            String rel = relative(name);
            if (rel.isEmpty() || ds.dirs.contains(rel) || ds.files.containsKey(rel)) {
                throw new VimFault("FileAlreadyExists", "Cannot complete the operation because the file or folder "
                        + name + " already exists", Node.text("file", null, name));
            }
            if (!parents && !dirExists(ds, parent(rel))) {
                throw VimFault.fileNotFound("[" + ds.name + "] " + parent(rel));
            }
            for (String p = rel; !p.isEmpty(); p = parent(p)) {
                ds.dirs.add(p);
            }
            return List.of();
        });
    }

    List<Node> deleteFile(VimExchange x) {
        String name = x.text("name");
        return inv.locked(() -> {
            Datastore ds = datastore(name);
            String rel = relative(name);
            return List.of(Node.ref("returnval", inv.tasks.now("DeleteDatastoreFile_Task", null, null, x.user, () -> {
                if (ds.files.remove(rel) != null) {
                    return null;
                }
                if (!rel.isEmpty() && ds.dirs.remove(rel)) {
                    ds.dirs.removeIf(d -> d.startsWith(rel + "/"));
                    ds.files.keySet().removeIf(f -> f.startsWith(rel + "/"));
                    return null;
                }
                throw VimFault.fileNotFound(name);
            }).ref()).untyped());
        });
    }

    List<Node> search(VimExchange x) {
        String path = x.text("datastorePath");
        Node spec = x.arg("searchSpec");
        List<Pattern> patterns = new ArrayList<>();
        if (spec != null) {
            spec.all("matchPattern").forEach(p -> patterns.add(glob(p.text.strip())));
        }
        return inv.locked(() -> {
            if (!(objects.resolve(x.self) instanceof Datastore browsed)) {
                throw VimFault.notFound(x.self);
            }
            Datastore ds = datastoreName(path) == null ? browsed : datastore(path);
            String rel = relative(path);
            return List.of(Node.ref("returnval", inv.tasks.now("SearchDatastore_Task", null, null, x.user, () -> {
                if (!dirExists(ds, rel)) {
                    throw VimFault.fileNotFound(rel);
                }
                Node result = Node.object("result", "HostDatastoreBrowserSearchResults");
                result.addRef("datastore", objects.ref(ds));
                result.add("folderPath", "[" + ds.name + "]" + (rel.isEmpty() ? "" : " " + rel));
                String prefix = rel.isEmpty() ? "" : rel + "/";
                for (String d : ds.dirs) {
                    String leaf = d.startsWith(prefix) ? d.substring(prefix.length()) : "/";
                    if (!leaf.contains("/") && matches(patterns, leaf)) {
                        result.add(Node.object("file", "FolderFileInfo").add("path", leaf));
                    }
                }
                ds.files.forEach((f, bytes) -> {
                    String leaf = f.startsWith(prefix) ? f.substring(prefix.length()) : "/";
                    if (!leaf.contains("/") && matches(patterns, leaf)) {
                        result.add(Node.object("file", fileType(leaf)).add("path", leaf).add("fileSize", bytes.length)
                                .add("modification", inv.time.now()));
                    }
                });
                return result;
            }).ref()).untyped());
        });
    }

    private static String fileType(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".iso")) {
            return "IsoImageFileInfo";
        }
        if (n.endsWith(".flp")) {
            return "FloppyImageFileInfo";
        }
        if (n.endsWith(".vmdk")) {
            return "VmDiskFileInfo";
        }
        return "FileInfo";
    }

    private static boolean matches(List<Pattern> patterns, String name) {
        return patterns.isEmpty() || patterns.stream().anyMatch(p -> p.matcher(name).matches());
    }

    private static Pattern glob(String glob) {
        StringBuilder b = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> b.append(".*");
                case '?' -> b.append('.');
                default -> b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(b.toString(), Pattern.CASE_INSENSITIVE);
    }

    // ------------------------------------------------------------------ /folder

    static boolean accepts(Request request) {
        return request.path().equals("/folder") || request.path().startsWith("/folder/");
    }

    /**
     * {@code PUT}, {@code GET}, {@code HEAD} and {@code DELETE} of {@code /folder/<path>?dcPath=&dsName=}
     * in a vim25 session; the file's directory must exist.
     */
    Response folder(Request request) {
        if (sessions.touch(VimProtocol.cookie(request.header("cookie"))) == null) {
            return Response.of(401, "text/plain", "Authentication required: log in through /sdk and send its "
                    + VimProtocol.COOKIE + " cookie.");
        }
        Query q = Query.parse(request.rawQuery());
        String dsName = q.value("dsName");
        String rel = relative(request.path().substring("/folder".length()));
        return inv.locked(() -> {
            Datastore ds = inv.datastores.values().stream().filter(d -> d.name.equals(dsName)).findFirst()
                    .orElse(null);
            if (ds == null || rel.isEmpty()) {
                return Response.of(404, "text/plain", "No datastore '" + dsName + "' or no file named; datastores: "
                        + inv.datastores.values().stream().map(d -> d.name).toList());
            }
            switch (request.method()) {
                case "PUT" -> {
                    if (!dirExists(ds, parent(rel))) {
                        return Response.of(404, "text/plain", "The directory [" + ds.name + "] " + parent(rel)
                                + " does not exist.");
                    }
                    boolean created = !ds.files.containsKey(rel);
                    ds.files.put(rel, request.body());
                    return new Response(created ? 201 : 200, "text/plain", new byte[0]);
                }
                case "GET", "HEAD" -> {
                    byte[] bytes = ds.files.get(rel);
                    return bytes == null ? Response.of(404, "text/plain", "No file [" + ds.name + "] " + rel + ".")
                            : new Response(200, "application/octet-stream", bytes);
                }
                case "DELETE" -> {
                    return ds.files.remove(rel) == null ? Response.of(404, "text/plain", "No file [" + ds.name + "] "
                            + rel + ".") : new Response(204, "text/plain", new byte[0]);
                }
                default -> {
                    return new Response(405, "text/plain", ("Use PUT, GET, HEAD or DELETE on /folder.")
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
        });
    }
}
