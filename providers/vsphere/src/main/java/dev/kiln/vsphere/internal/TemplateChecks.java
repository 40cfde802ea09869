package dev.kiln.vsphere.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Target;
import dev.kiln.template.TemplateException;
import dev.kiln.template.TemplatePosition;
import dev.kiln.template.TemplateProblem;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What Kiln checks of a vSphere build's template before any clone starts, against the target and
 * the vCenter: the datacenter, host, cluster, datastore, folder, network, resource pool, source
 * VM and content library it names exist (each problem names what exists); the host and datastore
 * are the target's (Kiln holds their provisioning slots, a build elsewhere would bypass them); the
 * build leaves an image (a template or a library item), named like the image; and its notes carry
 * the build id, which is how Kiln finds what the build made. Fields whose value is only known when
 * packer runs are not checked.
 */
final class TemplateChecks {

    private final Vcenters vcenters;
    private final VsphereSettings settings;
    private final Limits limits;

    TemplateChecks(Vcenters vcenters, VsphereSettings settings, Limits limits) {
        this.vcenters = vcenters;
        this.settings = settings;
        this.limits = limits;
    }

    /** @throws TemplateException naming every problem's file:line:column, what was found and what exists */
    void check(BuildJob job) {
        Optional<BuildTemplate> read = BuildTemplate.of(job, limits.environment(job.target()));
        if (read.isEmpty()) {
            return;
        }
        BuildTemplate t = read.get();
        Target target = job.target();
        Lookup vc = new Lookup(target);
        List<TemplateProblem> problems = new ArrayList<>();
        String where = "on vCenter " + vc.base;

        field(t, "datacenter").ifPresent(f -> exists(problems, f, "datacenter", vc.names("datacenter",
                () -> names(vcenters.call(target, Call.datacenters()))), where));
        Optional<BuildTemplate.Field> cluster = field(t, "cluster");
        cluster.ifPresent(f -> exists(problems, f, "cluster", vc.names("cluster",
                () -> names(vcenters.call(target, Call.clusters()))), where));
        field(t, "host").ifPresent(f -> {
            List<String> hosts = vc.names("host", () -> names(vcenters.call(target, Call.hosts())));
            if (!hosts.contains(f.value())) {
                exists(problems, f, "host", hosts, where);
            } else if (!f.value().equals(target.region()) && !cluster.map(c -> c.value().equals(target.region()))
                    .orElse(false)) {
                problems.add(new TemplateProblem(f.position(), "host '" + f.value() + "', which Kiln's target "
                        + target.key() + " does not name", "the target's host '" + target.region() + "': Kiln holds"
                        + " that host's provisioning slots, a build on another bypasses them; set host to"
                        + " {{env `KILN_VSPHERE_HOST`}}"));
            }
        });
        field(t, "datastore").ifPresent(f -> {
            List<String> datastores = vc.names("datastore", () -> names(vcenters.call(target, Call.datastores())));
            String mine = settings.datastoreOf(target);
            if (!datastores.contains(f.value())) {
                exists(problems, f, "datastore", datastores, where);
            } else if (mine != null && !mine.equals(f.value())) {
                problems.add(new TemplateProblem(f.position(), "datastore '" + f.value() + "', which Kiln's target "
                        + target.key() + " does not name", "the target's datastore '" + mine + "': Kiln holds that"
                        + " datastore's provisioning slots and disk; set datastore to {{env `KILN_VSPHERE_DATASTORE`}}"));
            }
        });
        field(t, "folder").ifPresent(f -> {
            List<String> folders = vc.names("folder", () -> names(vcenters.call(target, Call.vmFolders())));
            for (String part : f.value().split("/")) {
                if (!part.isEmpty() && !folders.contains(part)) {
                    problems.add(new TemplateProblem(f.position(), "VM folder '" + f.value() + "' (no folder '"
                            + part + "' " + where + "; packer would make it)", "an existing VM folder: " + folders));
                    break;
                }
            }
        });
        List<BuildTemplate.Field> networks = new ArrayList<>(t.fields("network_adapters.network"));
        field(t, "network").ifPresent(networks::add);
        for (BuildTemplate.Field f : networks) {
            if (f.known() && !f.value().isEmpty()) {
                exists(problems, f, "network", vc.names("network", () -> names(vcenters.call(target,
                        Call.networks()))), where);
            }
        }
        field(t, "resource_pool").ifPresent(f -> exists(problems, f, "resource pool", vc.names("pool",
                () -> names(vcenters.call(target, Call.resourcePools()))), where));
        field(t, "template").ifPresent(f -> {
            if (vcenters.vmsNamed(target, f.value()).isEmpty()) {
                problems.add(new TemplateProblem(f.position(), "template '" + f.value() + "' to clone from, which is"
                        + " no VM or template " + where, "the name of an existing VM or template"));
            }
        });
        field(t, "content_library_destination.library").ifPresent(f -> {
            JsonNode ids = vcenters.call(target, Call.librariesNamed(f.value()));
            if (ids.size() == 0) {
                problems.add(new TemplateProblem(f.position(), "content library '" + f.value() + "', which does not"
                        + " exist " + where, "an existing LOCAL content library"));
            }
        });
        leaves(job, t, problems);
        if (!problems.isEmpty()) {
            throw new TemplateException("vSphere build template for " + job.id(), problems);
        }
    }

    /** The build leaves an image named like the image, and marks what it makes with its build id. */
    private static void leaves(BuildJob job, BuildTemplate t, List<TemplateProblem> problems) {
        TemplatePosition at = t.position();
        boolean library = t.has("content_library_destination");
        Boolean convert = t.flag("convert_to_template");
        if (!library && Boolean.FALSE.equals(convert)) {
            problems.add(new TemplateProblem(at, t.describe() + " neither converts its VM to a template nor exports"
                    + " it to a content library, so it would leave a plain VM", "convert_to_template: true, or a"
                    + " content_library_destination: Kiln accepts templates and library items as images, never VMs"));
        }
        Optional<BuildTemplate.Field> vmName = t.field("vm_name").filter(BuildTemplate.Field::known);
        Optional<BuildTemplate.Field> itemName = t.field("content_library_destination.name")
                .filter(BuildTemplate.Field::known).or(() -> vmName);
        Optional<BuildTemplate.Field> imageField = library ? itemName : vmName;
        imageField.filter(f -> !f.value().equals(job.imageName())).ifPresent(f -> problems.add(new TemplateProblem(
                f.position(), (library ? "content library item name '" : "vm_name '") + f.value() + "'",
                "the image's name, '" + job.imageName() + "' ({{user `kiln_image_name`}}): Kiln checks and finds"
                        + " the image by it")));
        Optional<BuildTemplate.Field> notes = t.field("notes");
        String mark = BuildMarks.BUILD_ID + "=" + job.buildId();
        if (notes.isEmpty()) {
            problems.add(new TemplateProblem(at, t.describe() + " sets no notes", "notes that carry " + BuildMarks.BUILD_ID
                    + "={{user `kiln_build_id`}}: Kiln finds (and sweeps) what a build made by them"));
        } else if (notes.get().known() && !BuildMarks.marks(notes.get().value(), job.buildId())) {
            problems.add(new TemplateProblem(notes.get().position(), "notes '" + notes.get().value() + "'",
                    "notes that carry " + mark + " ({{user `kiln_build_id`}}): Kiln finds (and sweeps) what a build"
                            + " made by them"));
        }
    }

    private static Optional<BuildTemplate.Field> field(BuildTemplate t, String path) {
        return t.field(path).filter(f -> f.known() && !f.value().isBlank());
    }

    private static void exists(List<TemplateProblem> problems, BuildTemplate.Field f, String kind, List<String> names,
            String where) {
        if (!names.contains(f.value())) {
            problems.add(new TemplateProblem(f.position(), kind + " '" + f.value() + "', which does not exist " + where,
                    "one of the " + kind + (kind.endsWith("s") ? "es" : "s") + " there: " + names));
        }
    }

    private static List<String> names(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.path("name").asText()));
        return out;
    }

    /** Name lists of one vCenter, each read once per check. */
    private final class Lookup {
        final URI base;
        final Map<String, List<String>> cache = new LinkedHashMap<>();

        Lookup(Target target) {
            this.base = vcenters.base(target);
        }

        List<String> names(String kind, Supplier<List<String>> read) {
            return cache.computeIfAbsent(kind, k -> read.get());
        }
    }
}
