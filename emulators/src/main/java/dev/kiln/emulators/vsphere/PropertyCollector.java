package dev.kiln.emulators.vsphere;

import dev.kiln.emulators.vsphere.Inventory.Vm;
import dev.kiln.time.Wakeup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * vim25's PropertyCollector: {@code RetrieveProperties} and {@code RetrievePropertiesEx} (with
 * {@code ContinueRetrievePropertiesEx} pages) over filter specs with traversal specs, selection
 * specs that name them (recursion), {@code skip} and matching by type inheritance, as govmomi's
 * finder and pyvmomi drive them; and the session collectors govmomi creates to wait for a task
 * ({@code CreatePropertyCollector}, {@code CreateFilter}, {@code WaitForUpdatesEx} that blocks
 * until something changes, {@code CancelWaitForUpdates}, {@code DestroyPropertyCollector}).
 */
final class PropertyCollector {

    /** The values one object has for the paths asked, in order; a missing path is unset. */
    record Content(MoRef obj, Map<String, Node> values) {
    }

    private static final long DEFAULT_WAIT_NANOS = 60_000_000_000L;
    private static final int DEFAULT_PAGE = 100;

    /** A collector a session created, with its filters and the state of its updates. */
    private static final class Collector {
        final String id;
        final Map<String, Filter> filters = new LinkedHashMap<>();
        final Map<String, List<Content>> pages = new LinkedHashMap<>();
        final Wakeup wakeup = new Wakeup();
        volatile boolean cancelled;
        long version;

        Collector(String id) {
            this.id = id;
        }
    }

    private static final class Filter {
        final String id;
        final Node spec;
        /** What was last reported, per object and path, as written. */
        final Map<MoRef, Map<String, String>> reported = new LinkedHashMap<>();

        Filter(String id, Node spec) {
            this.id = id;
            this.spec = spec;
        }
    }

    private final Inventory inv;
    private final VimObjects objects;
    private final Map<String, Collector> collectors = new ConcurrentHashMap<>();
    private final Collector singleton = new Collector("propertyCollector");
    private final AtomicLong tokens = new AtomicLong();

    PropertyCollector(Inventory inv, VimObjects objects) {
        this.inv = inv;
        this.objects = objects;
    }

    // ------------------------------------------------------------------ retrieve

    /** {@code RetrieveProperties}: every object the specs reach, with the properties asked for it. */
    List<Content> retrieve(List<Node> specSet) {
        return inv.reading(() -> {
            List<Content> out = new ArrayList<>();
            for (Node spec : specSet) {
                out.addAll(collect(spec));
            }
            return out;
        });
    }

    /** {@code RetrievePropertiesEx}: the first page, and the token of the rest when there is more. */
    Node retrieveEx(MoRef collector, List<Node> specSet, Node options) {
        List<Content> all = retrieve(specSet);
        if (all.isEmpty()) {
            return null;
        }
        long max = options == null ? 0 : options.number("maxObjects", 0);
        return page(collector(collector), all, max <= 0 ? DEFAULT_PAGE : (int) Math.min(max, DEFAULT_PAGE * 10));
    }

    /** {@code ContinueRetrievePropertiesEx}: the page after {@code token}. */
    Node continueEx(MoRef collector, String token) {
        Collector c = collector(collector);
        List<Content> rest;
        synchronized (c) {
            rest = c.pages.remove(token);
        }
        if (rest == null) {
            throw VimFault.invalidArgument("token");
        }
        return page(c, rest, DEFAULT_PAGE);
    }

    private Node page(Collector c, List<Content> all, int size) {
        Node result = Node.object("returnval", "RetrieveResult");
        List<Content> now = all.subList(0, Math.min(size, all.size()));
        if (all.size() > size) {
            String token = Long.toString(tokens.incrementAndGet());
            synchronized (c) {
                c.pages.put(token, new ArrayList<>(all.subList(size, all.size())));
            }
            result.add("token", token);
        }
        now.forEach(o -> result.add(objectContent("objects", o)));
        return result;
    }

    /** One {@code ObjectContent}: the object and a {@code propSet} per value it has. */
    static Node objectContent(String name, Content c) {
        Node n = new Node(name);
        n.addRef("obj", c.obj());
        c.values().forEach((path, value) -> {
            n.add(new Node("propSet").add("name", path).add(value));
        });
        return n;
    }

    private List<Content> collect(Node spec) {
        Map<String, Node> named = new LinkedHashMap<>();
        for (Node os : spec.all("objectSet")) {
            nameTraversals(os.all("selectSet"), named);
        }
        List<Node> propSet = spec.all("propSet");
        Map<MoRef, Content> found = new LinkedHashMap<>();
        Set<String> visited = new LinkedHashSet<>();
        for (Node os : spec.all("objectSet")) {
            Node obj = os.child("obj");
            if (obj == null) {
                throw VimFault.invalidArgument("objectSet.obj");
            }
            MoRef ref = obj.asRef();
            objects.require(ref);
            visit(ref, os.bool("skip", false), os.all("selectSet"), named, propSet, found, visited);
        }
        return new ArrayList<>(found.values());
    }

    private static void nameTraversals(List<Node> selectSet, Map<String, Node> named) {
        for (Node s : selectSet) {
            if (s.child("path") != null) {
                String name = s.text("name");
                if (name != null && !name.isBlank() && !named.containsKey(name)) {
                    named.put(name, s);
                    nameTraversals(s.all("selectSet"), named);
                }
            }
        }
    }

    private void visit(MoRef ref, boolean skip, List<Node> selectSet, Map<String, Node> named, List<Node> propSet,
            Map<MoRef, Content> found, Set<String> visited) {
        if (!skip && !found.containsKey(ref)) {
            Content c = contentOf(ref, propSet);
            if (c != null) {
                found.put(ref, c);
            }
        }
        for (Node sel : selectSet) {
            Node ts = sel.child("path") != null ? sel : named.get(sel.text("name"));
            if (ts == null) {
                continue;
            }
            String type = ts.text("type");
            if (type == null || !VimObjects.isA(ref.type(), type)) {
                continue;
            }
            if (!visited.add(ref + "|" + System.identityHashCode(ts))) {
                continue;
            }
            for (MoRef next : objects.references(ref, ts.text("path"))) {
                if (objects.resolve(next) != null) {
                    visit(next, ts.bool("skip", false), ts.all("selectSet"), named, propSet, found, visited);
                }
            }
        }
    }

    /** The values {@code propSet} asks of {@code ref}; null when no property spec is of its type. */
    private Content contentOf(MoRef ref, List<Node> propSet) {
        Map<String, Node> values = new LinkedHashMap<>();
        boolean matched = false;
        for (Node ps : propSet) {
            String type = ps.text("type");
            if (type == null || !VimObjects.isA(ref.type(), type)) {
                continue;
            }
            matched = true;
            List<String> paths = new ArrayList<>();
            ps.all("pathSet").forEach(p -> paths.add(p.text.strip()));
            if (ps.bool("all", false) && paths.isEmpty()) {
                // All of an object's properties: what clients that ask so read (a task's info, an entity's name).
                paths.add(VimObjects.isA(ref.type(), "ManagedEntity") ? "name" : "Task".equals(ref.type()) ? "info"
                        : "view");
            }
            for (String path : paths) {
                Node v = objects.property(ref, path);
                if (v != null) {
                    values.put(path, asVal(v));
                }
            }
        }
        return matched ? new Content(ref, values) : null;
    }

    /** {@code v} as the {@code val} of a {@code propSet}: always typed. */
    private static Node asVal(Node v) {
        Node val = v.copy();
        val.name = "val";
        if (val.type == null) {
            val.type = val.valType != null ? val.valType : val.attrs.containsKey("type") ? "ManagedObjectReference"
                    : "xsd:string";
        }
        return val;
    }

    // ------------------------------------------------------------------ session collectors

    MoRef create(String session) {
        String id = "session[" + session + "]" + inv.locked(inv::uuid);
        collectors.put(id, new Collector(id));
        return new MoRef("PropertyCollector", id);
    }

    void destroy(MoRef collector) {
        Collector c = collectors.remove(collector(collector).id);
        if (c != null) {
            c.cancelled = true;
            c.wakeup.signal();
        }
    }

    MoRef createFilter(MoRef collector, Node spec) {
        Collector c = collector(collector);
        // Check the objects now, as vCenter does: a filter on nothing is a fault, not an empty wait.
        inv.reading(() -> collect(spec));
        String id = "session[" + collector.value() + "]" + inv.locked(inv::uuid);
        synchronized (c) {
            c.filters.put(id, new Filter(id, spec));
        }
        return new MoRef("PropertyFilter", id);
    }

    void destroyFilter(MoRef filter) {
        for (Collector c : collectors.values()) {
            synchronized (c) {
                c.filters.remove(filter.value());
            }
        }
    }

    void cancelWait(MoRef collector) {
        Collector c = collector(collector);
        c.cancelled = true;
        c.wakeup.signal();
    }

    /**
     * {@code WaitForUpdatesEx}: what changed in the collector's filters since {@code version}
     * (everything, when there is none), waiting up to {@code maxWaitSeconds} (a minute when not
     * given: govmomi then asks again) for a change; null when nothing changed.
     */
    Node waitForUpdates(MoRef collectorRef, String version, Node options) throws InterruptedException {
        Collector c = collector(collectorRef);
        long now = inv.time.nanoTime();
        Long maxWait = options == null || options.text("maxWaitSeconds") == null ? null
                : options.number("maxWaitSeconds", 0);
        long deadline = maxWait == null ? now + DEFAULT_WAIT_NANOS : now + Math.max(0, maxWait) * 1_000_000_000L;
        boolean fresh = version == null || version.isBlank();
        c.cancelled = false;
        inv.watch(c.wakeup);
        try {
            while (true) {
                if (c.cancelled) {
                    throw new VimFault("RequestCanceled", "The wait for updates was cancelled.");
                }
                long[] next = {Long.MAX_VALUE};
                boolean reset = fresh;
                Node updates = inv.reading(() -> changes(c, reset, next));
                fresh = false;
                if (updates != null) {
                    return updates;
                }
                long wakeAt = Math.min(deadline, next[0]);
                if (inv.time.nanoTime() >= deadline) {
                    return null;
                }
                inv.time.await(c.wakeup, wakeAt);
            }
        } finally {
            inv.unwatch(c.wakeup);
        }
    }

    private Node changes(Collector c, boolean reset, long[] nextChange) {
        List<Node> sets = new ArrayList<>();
        synchronized (c) {
            for (Filter f : c.filters.values()) {
                if (reset) {
                    f.reported.clear();
                }
                List<Content> now = collect(f.spec);
                Map<MoRef, Map<String, String>> seen = new LinkedHashMap<>();
                List<Node> objectSet = new ArrayList<>();
                for (Content content : now) {
                    nextChange[0] = Math.min(nextChange[0], changeTime(content.obj()));
                    Map<String, String> values = new LinkedHashMap<>();
                    content.values().forEach((path, v) -> values.put(path, v.toString()));
                    seen.put(content.obj(), values);
                    Map<String, String> before = f.reported.get(content.obj());
                    Node update = new Node("objectSet");
                    if (before == null) {
                        update.add("kind", "enter");
                    } else if (!before.equals(values)) {
                        update.add("kind", "modify");
                    } else {
                        continue;
                    }
                    update.addRef("obj", content.obj());
                    content.values().forEach((path, v) -> {
                        if (before == null || !Objects.equals(before.get(path), values.get(path))) {
                            update.add(new Node("changeSet").add("name", path).add("op", "assign").add(v));
                        }
                    });
                    objectSet.add(update);
                }
                for (MoRef gone : f.reported.keySet()) {
                    if (!seen.containsKey(gone)) {
                        Node leave = new Node("objectSet").add("kind", "leave");
                        leave.addRef("obj", gone);
                        objectSet.add(leave);
                    }
                }
                f.reported.clear();
                f.reported.putAll(seen);
                if (!objectSet.isEmpty()) {
                    Node filterSet = new Node("filterSet");
                    filterSet.addRef("filter", new MoRef("PropertyFilter", f.id));
                    objectSet.forEach(filterSet::add);
                    sets.add(filterSet);
                }
            }
            if (sets.isEmpty()) {
                return null;
            }
            c.version++;
            Node result = Node.object("returnval", "UpdateSet").add("version", Long.toString(c.version));
            sets.forEach(result::add);
            return result;
        }
    }

    /** When what {@code ref} shows next changes by time alone (a task's end, a guest's power-off), or never. */
    private long changeTime(MoRef ref) {
        Object o = objects.resolve(ref);
        if (o instanceof Tasks.Task t) {
            return inv.tasks.nextChange(t);
        }
        if (o instanceof Vm vm && vm.offAt != Long.MAX_VALUE) {
            return vm.offAt;
        }
        return Long.MAX_VALUE;
    }

    private Collector collector(MoRef ref) {
        if (!"PropertyCollector".equals(ref.type())) {
            throw VimFault.notFound(ref);
        }
        if (ref.value().equals(singleton.id)) {
            return singleton;
        }
        Collector c = collectors.get(ref.value());
        if (c == null) {
            throw VimFault.notFound(ref);
        }
        return c;
    }

    void reset() {
        collectors.clear();
        synchronized (singleton) {
            singleton.pages.clear();
        }
    }
}
