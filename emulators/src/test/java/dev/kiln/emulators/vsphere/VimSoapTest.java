package dev.kiln.emulators.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.emulators.ApiCall;
import dev.kiln.emulators.Fault;
import dev.kiln.emulators.vsphere.Soap.Answer;
import dev.kiln.time.TimeSource;
import dev.kiln.time.VirtualTime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The vCenter emulator's vim25 SOAP API, in the dialect govmomi writes (the SOAP namespace as
 * default, the XSI namespace bound to {@code XMLSchema-instance:}, undeclared {@code xsd:} types),
 * over the same inventory, sessions and provisioning queues as its REST API.
 */
class VimSoapTest {

    private static final String XSI = "xmlns:XMLSchema-instance=\"http://www.w3.org/2001/XMLSchema-instance\"";
    private static final MoRef COLLECTOR = new MoRef("PropertyCollector", "propertyCollector");

    private final VirtualTime time = TimeSource.virtual(Instant.parse("2026-01-05T09:00:00Z"));
    private VcenterEmulator vcenter;

    private Soap start(VcenterEmulator.Builder b) {
        vcenter = b.timeSource(time).start();
        return new Soap(vcenter);
    }

    @AfterEach
    void stop() {
        if (vcenter != null) {
            vcenter.close();
        }
    }

    /** govmomi's finder: the children of a folder, with the nine property specs it sends. */
    private static String children(MoRef folder) {
        StringBuilder b = new StringBuilder("<RetrieveProperties xmlns=\"urn:vim25\">" + Soap.ref("_this", COLLECTOR)
                + "<specSet>");
        for (String t : List.of("Folder", "Datacenter", "VirtualApp", "VirtualMachine", "Network", "ComputeResource",
                "ClusterComputeResource", "Datastore", "DistributedVirtualSwitch")) {
            b.append("<propSet><type>").append(t).append("</type><pathSet>name</pathSet>");
            if (t.equals("Folder")) {
                b.append("<pathSet>childType</pathSet>");
            }
            if (t.endsWith("ComputeResource")) {
                b.append("<pathSet>resourcePool</pathSet>");
            }
            b.append("</propSet>");
        }
        b.append("<objectSet>").append(Soap.ref("obj", folder)).append("<skip>true</skip><selectSet ").append(XSI)
                .append(" XMLSchema-instance:type=\"TraversalSpec\"><type>Folder</type><path>childEntity</path>"
                        + "<skip>false</skip></selectSet></objectSet></specSet></RetrieveProperties>");
        return b.toString();
    }

    private static String properties(MoRef obj, String... paths) {
        StringBuilder b = new StringBuilder("<RetrieveProperties xmlns=\"urn:vim25\">" + Soap.ref("_this", COLLECTOR)
                + "<specSet><propSet><type>" + obj.type() + "</type>");
        for (String p : paths) {
            b.append("<pathSet>").append(p).append("</pathSet>");
        }
        return b.append("</propSet><objectSet>").append(Soap.ref("obj", obj))
                .append("<skip>false</skip></objectSet></specSet></RetrieveProperties>").toString();
    }

    /** The value of {@code path} in a one-object RetrieveProperties answer. */
    private static Node value(Answer a, String path) {
        for (Node p : a.returnvals().get(0).all("propSet")) {
            if (p.text("name").equals(path)) {
                return p.child("val");
            }
        }
        return null;
    }

    private static MoRef returned(Answer a) {
        return a.returnvals().get(0).asRef();
    }

    private MoRef find(Soap soap, MoRef folder, String name) {
        for (Node rv : soap.call(children(folder)).returnvals()) {
            for (Node p : rv.all("propSet")) {
                if (p.text("name").equals("name") && p.child("val").text.equals(name)) {
                    return rv.child("obj").asRef();
                }
            }
        }
        throw new AssertionError("no " + name + " in " + folder);
    }

    @Test
    void the_finder_walks_the_inventory_by_type_inheritance_and_traversal_specs() {
        Soap soap = start(VcenterEmulator.builder().esxiHosts("esx-01").cluster("cluster-1", "esx-02")).login();

        // Ancestors of a folder: a recursive traversal named once and referred back to by a selection spec
        MoRef root = new MoRef("Folder", "group-d1");
        MoRef dc = find(soap, root, VcenterEmulator.DEFAULT_DATACENTER);
        MoRef vmFolder = value(soap.call(properties(dc, "vmFolder")), "vmFolder").asRef();
        Answer ancestors = soap.call("<RetrieveProperties xmlns=\"urn:vim25\">" + Soap.ref("_this", COLLECTOR)
                + "<specSet><propSet><type>ManagedEntity</type><pathSet>name</pathSet><pathSet>parent</pathSet>"
                + "</propSet><objectSet>" + Soap.ref("obj", vmFolder) + "<skip>false</skip><selectSet " + XSI
                + " XMLSchema-instance:type=\"TraversalSpec\"><name>traverseParent</name><type>ManagedEntity</type>"
                + "<path>parent</path><skip>false</skip><selectSet XMLSchema-instance:type=\"SelectionSpec\">"
                + "<name>traverseParent</name></selectSet></selectSet></objectSet></specSet></RetrieveProperties>");
        assertThat(ancestors.returnvals()).extracting(rv -> rv.child("obj").asRef().type())
                .containsExactly("Folder", "Datacenter", "Folder");
        // the root has no parent: the property is left out, not sent empty
        assertThat(ancestors.returnvals().get(2).all("propSet")).hasSize(1);

        // Children of the host folder: a standalone host's ComputeResource and a cluster, both matched
        MoRef hostFolder = value(soap.call(properties(dc, "hostFolder")), "hostFolder").asRef();
        List<Node> computes = soap.call(children(hostFolder)).returnvals();
        assertThat(computes).extracting(rv -> rv.child("obj").asRef().type())
                .containsExactlyInAnyOrder("ComputeResource", "ClusterComputeResource");
        // a traversal spec of type ComputeResource is followed from a cluster too
        MoRef cluster = computes.stream().map(rv -> rv.child("obj").asRef())
                .filter(r -> r.type().equals("ClusterComputeResource")).findFirst().orElseThrow();
        Answer inCluster = soap.call("<RetrieveProperties xmlns=\"urn:vim25\">" + Soap.ref("_this", COLLECTOR)
                + "<specSet><propSet><type>HostSystem</type><pathSet>name</pathSet></propSet><propSet><type>"
                + "ResourcePool</type><pathSet>name</pathSet></propSet><objectSet>" + Soap.ref("obj", cluster)
                + "<skip>true</skip><selectSet " + XSI + " XMLSchema-instance:type=\"TraversalSpec\"><type>"
                + "ComputeResource</type><path>host</path><skip>false</skip></selectSet><selectSet " + XSI
                + " XMLSchema-instance:type=\"TraversalSpec\"><type>ComputeResource</type><path>resourcePool</path>"
                + "<skip>false</skip></selectSet></objectSet></specSet></RetrieveProperties>");
        assertThat(inCluster.returnvals()).extracting(rv -> rv.all("propSet").get(0).child("val").text)
                .containsExactly("esx-02", "Resources");

        // Typed values: an array of devices, an enum, a boolean
        MoRef source = find(soap, vmFolder, VcenterEmulator.DEFAULT_SOURCE_VM);
        Answer vm = soap.call(properties(source, "config.hardware.device", "summary.runtime.powerState",
                "config.template", "layoutEx.file"));
        assertThat(value(vm, "config.hardware.device").type).isEqualTo("ArrayOfVirtualDevice");
        assertThat(value(vm, "config.hardware.device").children).extracting(d -> d.type)
                .contains("VirtualIDEController", "VirtualLsiLogicController", "VirtualDisk", "VirtualCdrom");
        assertThat(value(vm, "summary.runtime.powerState").type).isEqualTo("VirtualMachinePowerState");
        assertThat(value(vm, "summary.runtime.powerState").text).isEqualTo("poweredOff");
        assertThat(value(vm, "config.template").text).isEqualTo("false");
        // packer takes the VM's directory from the first file named like the VM: the .vmx comes first
        assertThat(value(vm, "layoutEx.file").children.get(0).text("name"))
                .isEqualTo("[datastore1] kiln-source-template/kiln-source-template.vmx");

        // An unknown object is a fault; an unknown property too
        Answer gone = soap.call(properties(new MoRef("VirtualMachine", "vm-999999"), "name"));
        assertThat(gone.status()).isEqualTo(500);
        assertThat(gone.fault()).isEqualTo("ManagedObjectNotFound");
        assertThat(soap.call(properties(source, "config.nonsense")).fault()).isNull();
        assertThat(soap.call(properties(source, "nonsense")).fault()).isEqualTo("InvalidProperty");
        assertThat(vcenter.unknownOperations()).isEmpty();
    }

    private static String cloneVm(String source, String name, String folder, String ds, String pool) {
        return "<CloneVM_Task xmlns=\"urn:vim25\">" + Soap.ref("_this", new MoRef("VirtualMachine", source))
                + Soap.ref("folder", new MoRef("Folder", folder)) + "<name>" + name + "</name><spec><location>"
                + Soap.ref("datastore", new MoRef("Datastore", ds)) + Soap.ref("pool", new MoRef("ResourcePool", pool))
                + "</location><template>false</template><config/><powerOn>false</powerOn></spec></CloneVM_Task>";
    }

    @Test
    void soap_and_rest_clones_queue_for_the_same_host_slots_and_a_queued_task_says_so() {
        // Given a host that takes one provisioning operation at a time, each taking 10 s
        Soap soap = start(VcenterEmulator.builder().hostMaxCost(1).cloneTime(Duration.ofSeconds(10))).login();
        Rest rest = new Rest(vcenter).login();
        String source = Rest.id(rest.get("/api/vcenter/vm?names=" + VcenterEmulator.DEFAULT_SOURCE_VM), "vm");
        String host = Rest.id(rest.get("/api/vcenter/host?names=esx-01"), "host");
        String ds = Rest.id(rest.get("/api/vcenter/datastore?names=datastore1"), "datastore");
        String folder = Rest.id(rest.get("/api/vcenter/folder?type=VIRTUAL_MACHINE&names=kiln-builds"), "folder");
        String pool = Rest.id(rest.get("/api/vcenter/resource-pool?hosts=" + host), "resource_pool");

        // When packer clones twice on it through SOAP
        MoRef first = returned(soap.call(cloneVm(source, "soap-1", folder, ds, pool)));
        MoRef second = returned(soap.call(cloneVm(source, "soap-2", folder, ds, pool)));

        // Then the first runs and the second is queued, as vCenter shows it
        assertThat(value(soap.call(properties(first, "info")), "info").text("state")).isEqualTo("running");
        assertThat(value(soap.call(properties(second, "info")), "info").text("state")).isEqualTo("queued");
        assertThat(vcenter.counters().of("CloneVM_Task").queued()).isEqualTo(1);
        // and a clone through REST waits behind both, in the same queue
        long before = time.nanoTime();
        Rest.Answer byRest = rest.post("/api/vcenter/vm?action=clone", "{\"source\":\"" + source
                + "\",\"name\":\"rest-1\",\"placement\":{\"host\":\"" + host + "\",\"datastore\":\"" + ds
                + "\"}}");
        assertThat(byRest.status()).isEqualTo(200);
        assertThat(Duration.ofNanos(time.nanoTime() - before)).isEqualTo(Duration.ofSeconds(30));
        assertThat(vcenter.counters().of("vcenter.vm.clone").queued()).isEqualTo(1);
        // and every task ended with its VM, never more than one on the host at once
        Node done = waitForTask(soap, second);
        assertThat(done.text("state")).isEqualTo("success");
        assertThat(done.child("result").attrs.get("type")).isEqualTo("VirtualMachine");
        assertThat(vcenter.maxConcurrentHostCost("esx-01")).isEqualTo(1);
        assertThat(rest.get("/api/vcenter/vm?names=soap-1").body()).hasSize(1);
        assertThat(vcenter.vms()).extracting(VmSummary::name).contains("soap-1", "soap-2", "rest-1");
    }

    /** TaskManager.recentTask, each task's info read through it, as a client that watches tasks asks. */
    private static String recentTasks() {
        return "<RetrievePropertiesEx xmlns=\"urn:vim25\">" + Soap.ref("_this", COLLECTOR) + "<specSet><propSet>"
                + "<type>Task</type><pathSet>info</pathSet></propSet><objectSet>"
                + Soap.ref("obj", new MoRef("TaskManager", "TaskManager")) + "<skip>true</skip><selectSet " + XSI
                + " XMLSchema-instance:type=\"TraversalSpec\"><type>TaskManager</type><path>recentTask</path>"
                + "<skip>false</skip></selectSet></objectSet></specSet><options/></RetrievePropertiesEx>";
    }

    /** The info of every recent task, by task. */
    private static java.util.Map<MoRef, Node> recent(Soap soap) {
        java.util.Map<MoRef, Node> out = new java.util.LinkedHashMap<>();
        Answer a = soap.call(recentTasks());
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        for (Node rv : a.returnvals()) {
            for (Node o : rv.all("objects")) {
                out.put(o.child("obj").asRef(), o.child("propSet").child("val"));
            }
        }
        return out;
    }

    @Test
    void recent_tasks_list_what_is_queued_or_running_and_what_ended_in_the_last_ten_minutes() {
        // Given a host that takes one provisioning operation at a time, each taking 10 s, and two clones on it
        Soap soap = start(VcenterEmulator.builder().hostMaxCost(1).cloneTime(Duration.ofSeconds(10))).login();
        Rest rest = new Rest(vcenter).login();
        String source = Rest.id(rest.get("/api/vcenter/vm?names=" + VcenterEmulator.DEFAULT_SOURCE_VM), "vm");
        String host = Rest.id(rest.get("/api/vcenter/host?names=esx-01"), "host");
        String ds = Rest.id(rest.get("/api/vcenter/datastore?names=datastore1"), "datastore");
        String folder = Rest.id(rest.get("/api/vcenter/folder?type=VIRTUAL_MACHINE&names=kiln-builds"), "folder");
        String pool = Rest.id(rest.get("/api/vcenter/resource-pool?hosts=" + host), "resource_pool");
        Instant queued = time.now();
        MoRef first = returned(soap.call(cloneVm(source, "recent-1", folder, ds, pool)));
        MoRef second = returned(soap.call(cloneVm(source, "recent-2", folder, ds, pool)));

        // When a client reads TaskManager.recentTask and each task's info through it
        java.util.Map<MoRef, Node> now = recent(soap);

        // Then both clones are there, one running and one queued, with what TaskInfo says of a clone
        assertThat(now).containsOnlyKeys(first, second);
        Node running = now.get(first);
        assertThat(running.type).isEqualTo("TaskInfo");
        assertThat(running.text("descriptionId")).isEqualTo("VirtualMachine.clone");
        assertThat(running.text("state")).isEqualTo("running");
        assertThat(Instant.parse(running.text("queueTime"))).isEqualTo(queued);
        assertThat(running.child("reason").type).isEqualTo("TaskReasonUser");
        assertThat(running.child("reason").text("userName")).isEqualTo(VcenterEmulator.DEFAULT_USER);
        assertThat(running.child("result")).isNull();
        assertThat(now.get(second).text("state")).isEqualTo("queued");
        assertThat(now.get(second).text("startTime")).isNull();

        // and once they ended, they stay listed with their VM as the result for ten minutes, then leave
        time.advance(Duration.ofSeconds(20));
        now = recent(soap);
        assertThat(now.values()).extracting(i -> i.text("state")).containsExactly("success", "success");
        MoRef made = now.get(second).child("result").asRef();
        assertThat(made.type()).isEqualTo("VirtualMachine");
        assertThat(value(soap.call(properties(made, "name")), "name").text).isEqualTo("recent-2");
        assertThat(Instant.parse(now.get(second).text("completeTime"))).isEqualTo(queued.plusSeconds(20));
        time.advance(Duration.ofSeconds(595));
        assertThat(recent(soap)).containsOnlyKeys(second);
        time.advance(Duration.ofMinutes(1));
        assertThat(soap.call(recentTasks()).returnvals()).isEmpty();
        assertThat(value(soap.call(properties(second, "info")), "info").text("state")).as("a task outlives the list")
                .isEqualTo("success");
    }

    /** govmomi's task wait: a collector of its own, a filter on the task's info, updates until it ends. */
    private Node waitForTask(Soap soap, MoRef task) {
        MoRef collector = returned(soap.call("<CreatePropertyCollector xmlns=\"urn:vim25\">"
                + Soap.ref("_this", COLLECTOR) + "</CreatePropertyCollector>"));
        soap.call("<CreateFilter xmlns=\"urn:vim25\">" + Soap.ref("_this", collector) + "<spec><propSet><type>Task"
                + "</type><pathSet>info</pathSet></propSet><objectSet>" + Soap.ref("obj", task) + "</objectSet></spec>"
                + "<partialUpdates>false</partialUpdates></CreateFilter>");
        String version = "";
        List<String> states = new java.util.ArrayList<>();
        Node info = null;
        for (int i = 0; i < 10; i++) {
            Answer a = soap.call("<WaitForUpdatesEx xmlns=\"urn:vim25\">" + Soap.ref("_this", collector)
                    + (version.isEmpty() ? "" : "<version>" + version + "</version>") + "</WaitForUpdatesEx>");
            Node set = a.returnvals().get(0);
            version = set.text("version");
            info = set.child("filterSet").child("objectSet").child("changeSet").child("val");
            states.add(info.text("state"));
            if (List.of("success", "error").contains(info.text("state"))) {
                break;
            }
        }
        soap.call("<DestroyPropertyCollector xmlns=\"urn:vim25\">" + Soap.ref("_this", collector)
                + "</DestroyPropertyCollector>");
        assertThat(states).last().isIn("success", "error");
        return info;
    }

    @Test
    void templates_are_what_mark_as_template_makes_and_the_rest_vm_api_no_longer_lists_them() {
        Soap soap = start(VcenterEmulator.builder()).login();
        Rest rest = new Rest(vcenter).login();
        MoRef vm = new MoRef("VirtualMachine", Rest.id(rest.get("/api/vcenter/vm?names="
                + VcenterEmulator.DEFAULT_SOURCE_VM), "vm"));

        assertThat(soap.call("<MarkAsTemplate xmlns=\"urn:vim25\">" + Soap.ref("_this", vm) + "</MarkAsTemplate>")
                .status()).isEqualTo(200);

        assertThat(value(soap.call(properties(vm, "config.template")), "config.template").text).isEqualTo("true");
        assertThat(rest.get("/api/vcenter/vm?names=" + VcenterEmulator.DEFAULT_SOURCE_VM).body()).isEmpty();
        assertThat(vcenter.vms()).singleElement().satisfies(v -> assertThat(v.template()).isTrue());
        // vCenter refuses to reconfigure a template, in the task (why packer templates need boot_order)
        Answer reconfigure = soap.call("<ReconfigVM_Task xmlns=\"urn:vim25\">" + Soap.ref("_this", vm)
                + "<spec><bootOptions><bootOrder " + XSI + " XMLSchema-instance:type="
                + "\"VirtualMachineBootOptionsBootableDevice\"/></bootOptions></spec></ReconfigVM_Task>");
        Node info = value(soap.call(properties(returned(reconfigure), "info")), "info");
        assertThat(info.text("state")).isEqualTo("error");
        assertThat(info.child("error").child("fault").type).isEqualTo("NotSupported");
        assertThat(info.child("error").text("localizedMessage")).isEqualTo(
                "The operation is not supported on the object.");
        // and powering it on is refused the same way
        Answer on = soap.call("<PowerOnVM_Task xmlns=\"urn:vim25\">" + Soap.ref("_this", vm) + "</PowerOnVM_Task>");
        assertThat(value(soap.call(properties(returned(on), "info")), "info").text("state")).isEqualTo("error");
    }

    @Test
    void faults_are_soap_faults_and_sessions_are_one_pool_for_both_apis() {
        Soap soap = start(VcenterEmulator.builder().sessionLimit(2));

        Answer anonymous = soap.call(properties(new MoRef("Folder", "group-d1"), "name"));
        assertThat(anonymous.status()).isEqualTo(500);
        assertThat(anonymous.fault()).isEqualTo("NotAuthenticated");
        assertThat(anonymous.body()).contains("<faultcode>ServerFaultCode</faultcode>");
        Answer badLogin = soap.call("<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this>"
                + "<userName>root</userName><password>nope</password></Login>");
        assertThat(badLogin.fault()).isEqualTo("InvalidLogin");

        soap.login();
        new Rest(vcenter).login();
        Answer third = new Soap(vcenter).call("<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">"
                + "SessionManager</_this><userName>" + VcenterEmulator.DEFAULT_USER + "</userName><password>"
                + VcenterEmulator.DEFAULT_PASSWORD + "</password></Login>");
        assertThat(third.status()).isEqualTo(503);
        assertThat(third.response().child("faultstring").text).contains("maximum number of sessions (2)");
        assertThat(new Rest(vcenter).send("POST", "/api/session", null, Rest.basic(VcenterEmulator.DEFAULT_USER,
                VcenterEmulator.DEFAULT_PASSWORD)).status()).isEqualTo(503);

        Answer unknown = soap.call("<RebootHost_Task xmlns=\"urn:vim25\"><_this type=\"HostSystem\">host-1</_this>"
                + "</RebootHost_Task>");
        assertThat(unknown.fault()).isEqualTo("MethodNotFound");
        assertThat(vcenter.unknownOperations()).containsExactly("POST /sdk RebootHost_Task");

        vcenter.faults().inject("RetrieveProperties", Fault.errorRate(1.0));
        Answer injected = soap.call(properties(new MoRef("Folder", "group-d1"), "name"));
        assertThat(injected.status()).isEqualTo(500);
        assertThat(injected.fault()).isEqualTo("SystemError");
        assertThat(vcenter.calls()).extracting(ApiCall::action).contains("Login", "RetrieveProperties",
                "RebootHost_Task");
    }

    @Test
    void datastore_files_upload_through_folder_and_the_browser_tells_a_missing_directory_from_no_match()
            throws Exception {
        Soap soap = start(VcenterEmulator.builder()).login();
        MoRef ds = find(soap, value(soap.call(properties(find(soap, new MoRef("Folder", "group-d1"),
                VcenterEmulator.DEFAULT_DATACENTER), "datastoreFolder")), "datastoreFolder").asRef(), "datastore1");
        MoRef browser = value(soap.call(properties(ds, "browser")), "browser").asRef();
        String search = "<SearchDatastore_Task xmlns=\"urn:vim25\">" + Soap.ref("_this", browser)
                + "<datastorePath>[datastore1] packer_cache</datastorePath><searchSpec><matchPattern>dummy.iso"
                + "</matchPattern></searchSpec></SearchDatastore_Task>";

        Node missingDir = value(soap.call(properties(returned(soap.call(search)), "info")), "info");
        assertThat(missingDir.child("error").child("fault").type).isEqualTo("FileNotFound");

        soap.call("<MakeDirectory xmlns=\"urn:vim25\"><_this type=\"FileManager\">FileManager</_this><name>"
                + "[datastore1] packer_cache/</name><createParentDirectories>true</createParentDirectories>"
                + "</MakeDirectory>");
        Node noMatch = value(soap.call(properties(returned(soap.call(search)), "info")), "info");
        assertThat(noMatch.text("state")).isEqualTo("success");
        assertThat(noMatch.child("result").all("file")).isEmpty();

        HttpClient http = HttpClient.newBuilder().sslContext(vcenter.clientTls()).build();
        URI upload = URI.create(vcenter.endpoint() + "/folder/packer_cache//dummy.iso?dcPath=%2FDatacenter"
                + "&dsName=datastore1");
        assertThat(http.send(HttpRequest.newBuilder(upload).PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[4096]))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode()).as("without a session").isEqualTo(401);
        assertThat(http.send(HttpRequest.newBuilder(upload).header("Cookie", VimProtocol.COOKIE + "=" + soap.cookie())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[4096])).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isIn(200, 201);

        Node match = value(soap.call(properties(returned(soap.call(search)), "info")), "info");
        assertThat(match.child("result").all("file")).singleElement().satisfies(f -> {
            assertThat(f.type).isEqualTo("IsoImageFileInfo");
            assertThat(f.text("fileSize")).isEqualTo("4096");
        });
    }

    @Test
    void a_vm_made_by_create_vm_installs_its_guest_from_an_iso_and_powers_itself_off() throws Exception {
        Soap soap = start(VcenterEmulator.builder().installTime(Duration.ofSeconds(30))).login();
        Rest rest = new Rest(vcenter).login();
        String folder = Rest.id(rest.get("/api/vcenter/folder?type=VIRTUAL_MACHINE&names=kiln-builds"), "folder");
        String host = Rest.id(rest.get("/api/vcenter/host?names=esx-02"), "host");
        String pool = Rest.id(rest.get("/api/vcenter/resource-pool?hosts=" + host), "resource_pool");

        MoRef task = returned(soap.call("<CreateVM_Task xmlns=\"urn:vim25\">" + Soap.ref("_this", new MoRef("Folder",
                folder)) + "<config><name>iso-1</name><guestId>otherGuest64</guestId><annotation>kiln-build-id=b-1"
                + "</annotation><files><vmPathName>[datastore1]</vmPathName></files><deviceChange " + XSI
                + " XMLSchema-instance:type=\"VirtualDeviceConfigSpec\"><operation>add</operation><device"
                + " XMLSchema-instance:type=\"ParaVirtualSCSIController\"><key>-201</key><busNumber>0</busNumber>"
                + "<sharedBus>noSharing</sharedBus><scsiCtlrUnitNumber>7</scsiCtlrUnitNumber></device></deviceChange>"
                + "<deviceChange " + XSI + " XMLSchema-instance:type=\"VirtualDeviceConfigSpec\"><operation>add"
                + "</operation><fileOperation>create</fileOperation><device XMLSchema-instance:type=\"VirtualDisk\">"
                + "<key>-202</key><backing XMLSchema-instance:type=\"VirtualDiskFlatVer2BackingInfo\"><fileName/>"
                + "<diskMode>persistent</diskMode></backing><controllerKey>-201</controllerKey><unitNumber>0"
                + "</unitNumber><capacityInKB>2097152</capacityInKB></device></deviceChange></config>"
                + Soap.ref("pool", new MoRef("ResourcePool", pool)) + "</CreateVM_Task>"));
        MoRef vm = waitForTask(soap, task).child("result").asRef();

        Answer devices = soap.call(properties(vm, "config.hardware.device", "config.annotation"));
        Node disk = value(devices, "config.hardware.device").children.stream().filter(d -> "VirtualDisk".equals(
                d.type)).findFirst().orElseThrow();
        // the spec's temporary controller key became the new controller's, and the disk was named
        Node controller = value(devices, "config.hardware.device").children.stream().filter(d ->
                "ParaVirtualSCSIController".equals(d.type)).findFirst().orElseThrow();
        assertThat(disk.text("controllerKey")).isEqualTo(controller.text("key"));
        assertThat(controller.all("device")).extracting(d -> d.text).containsExactly(disk.text("key"));
        assertThat(disk.child("backing").text("fileName")).isEqualTo("[datastore1] iso-1/iso-1.vmdk");
        assertThat(value(devices, "config.annotation").text).isEqualTo("kiln-build-id=b-1");
        assertThat(vcenter.vms()).filteredOn(v -> v.name().equals("iso-1")).singleElement()
                .satisfies(v -> assertThat(v.host()).isEqualTo("esx-02"));

        // vCenter checks a CD-ROM's image exists before attaching it
        String addCdrom = "<ReconfigVM_Task xmlns=\"urn:vim25\">" + Soap.ref("_this", vm) + "<spec><deviceChange "
                + XSI + " XMLSchema-instance:type=\"VirtualDeviceConfigSpec\"><operation>add</operation><device"
                + " XMLSchema-instance:type=\"VirtualCdrom\"><key>-1</key><backing XMLSchema-instance:type="
                + "\"VirtualCdromIsoBackingInfo\"><fileName>[datastore1] iso//installer.iso</fileName></backing>"
                + "<connectable><startConnected>true</startConnected><allowGuestControl>true</allowGuestControl>"
                + "<connected>true</connected></connectable><controllerKey>200</controllerKey><unitNumber>0"
                + "</unitNumber></device></deviceChange></spec></ReconfigVM_Task>";
        Node missing = value(soap.call(properties(returned(soap.call(addCdrom)), "info")), "info");
        assertThat(missing.child("error").child("fault").type).isEqualTo("FileNotFound");
        soap.call("<MakeDirectory xmlns=\"urn:vim25\"><_this type=\"FileManager\">FileManager</_this><name>"
                + "[datastore1] iso</name></MakeDirectory>");
        HttpClient http = HttpClient.newBuilder().sslContext(vcenter.clientTls()).build();
        http.send(HttpRequest.newBuilder(URI.create(vcenter.endpoint() + "/folder/iso/installer.iso?dsName=datastore1"))
                .header("Cookie", VimProtocol.COOKIE + "=" + soap.cookie()).PUT(HttpRequest.BodyPublishers.ofByteArray(
                        new byte[2048])).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(waitForTask(soap, returned(soap.call(addCdrom))).text("state")).isEqualTo("success");

        // and booted from it, the guest installs and powers the VM off
        soap.call("<PowerOnVM_Task xmlns=\"urn:vim25\">" + Soap.ref("_this", vm) + "</PowerOnVM_Task>");
        assertThat(value(soap.call(properties(vm, "summary.runtime.powerState")), "summary.runtime.powerState").text)
                .isEqualTo("poweredOn");
        time.advance(Duration.ofSeconds(30));
        assertThat(value(soap.call(properties(vm, "summary.runtime.powerState")), "summary.runtime.powerState").text)
                .isEqualTo("poweredOff");
    }
}
