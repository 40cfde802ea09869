package dev.kiln.emulators.gcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a project holds: images (global), instances and disks (zonal), addresses (regional) and operations. */
final class GceResources {

    private GceResources() {
    }

    static final class Project {
        final String id;
        final long number;
        final boolean readOnly;
        final Map<String, Image> images = new LinkedHashMap<>();
        final Map<String, Instance> instances = new LinkedHashMap<>();
        final Map<String, Disk> disks = new LinkedHashMap<>();
        final Map<String, Address> addresses = new LinkedHashMap<>();
        final Map<String, Operation> operations = new LinkedHashMap<>();
        /** {@code commonInstanceMetadata}'s items. */
        Map<String, String> metadata = new LinkedHashMap<>();

        Project(String id, long number, boolean readOnly) {
            this.id = id;
            this.number = number;
            this.readOnly = readOnly;
        }
    }

    static final class Instance {
        final String project;
        final String zone;
        final String name;
        final long id;
        final MachineTypes.Type type;
        final Instant created;
        final List<Attached> disks = new ArrayList<>();
        final boolean externalIp;
        final String natIp;
        final String internalIp;
        final String description;
        Map<String, String> metadata;
        Map<String, String> labels;
        long provisionedAt;
        long runningAt;
        long stopAt = -1;
        long stoppedAt = -1;
        long deleteAt = -1;

        Instance(String project, String zone, String name, long id, MachineTypes.Type type, Instant created,
                boolean externalIp, String natIp, String internalIp, String description, Map<String, String> metadata,
                Map<String, String> labels) {
            this.project = project;
            this.zone = zone;
            this.name = name;
            this.id = id;
            this.type = type;
            this.created = created;
            this.externalIp = externalIp;
            this.natIp = natIp;
            this.internalIp = internalIp;
            this.description = description;
            this.metadata = metadata;
            this.labels = labels;
        }

        String status(long now) {
            if (deleteAt >= 0) {
                return "STOPPING";
            }
            if (stopAt >= 0) {
                return now < stoppedAt ? "STOPPING" : "TERMINATED";
            }
            if (now < provisionedAt) {
                return "PROVISIONING";
            }
            return now < runningAt ? "STAGING" : "RUNNING";
        }
    }

    record Attached(String disk, String deviceName, boolean boot, boolean autoDelete) {
    }

    static final class Disk {
        final String project;
        final String zone;
        final String name;
        final long id;
        final long sizeGb;
        final String type;
        final String sourceImage;
        final Instant created;
        final long readyAt;
        Map<String, String> labels;
        String user;
        long deleteAt = -1;

        Disk(String project, String zone, String name, long id, long sizeGb, String type, String sourceImage,
                Instant created, long readyAt, Map<String, String> labels) {
            this.project = project;
            this.zone = zone;
            this.name = name;
            this.id = id;
            this.sizeGb = sizeGb;
            this.type = type;
            this.sourceImage = sourceImage;
            this.created = created;
            this.readyAt = readyAt;
            this.labels = labels;
        }

        String status(long now) {
            if (deleteAt >= 0) {
                return "DELETING";
            }
            return now < readyAt ? "CREATING" : "READY";
        }

        boolean ssd() {
            return type.equals("pd-ssd") || type.equals("pd-balanced");
        }
    }

    static final class Image {
        final String project;
        final String name;
        final long id;
        final String family;
        final long diskSizeGb;
        final String sourceDisk;
        final String description;
        final Instant created;
        final long readyAt;
        Map<String, String> labels;
        long deleteAt = -1;
        boolean failed;

        Image(String project, String name, long id, String family, long diskSizeGb, String sourceDisk,
                String description, Instant created, long readyAt, Map<String, String> labels) {
            this.project = project;
            this.name = name;
            this.id = id;
            this.family = family;
            this.diskSizeGb = diskSizeGb;
            this.sourceDisk = sourceDisk;
            this.description = description;
            this.created = created;
            this.readyAt = readyAt;
            this.labels = labels;
        }

        String status(long now) {
            if (deleteAt >= 0) {
                return "DELETING";
            }
            if (failed) {
                return "FAILED";
            }
            return now < readyAt ? "PENDING" : "READY";
        }
    }

    static final class Address {
        final String project;
        final String region;
        final String name;
        final long id;
        final String address;
        final Instant created;
        long deleteAt = -1;

        Address(String project, String region, String name, long id, String address, Instant created) {
            this.project = project;
            this.region = region;
            this.name = name;
            this.id = id;
            this.address = address;
            this.created = created;
        }
    }

    /** An operation: {@code scope} is {@code zones}, {@code regions} or {@code global}. */
    static final class Operation {
        final String project;
        final String scope;
        final String location;
        final String name;
        final long id;
        final String type;
        final String targetLink;
        final long targetId;
        final Instant inserted;
        final long createdAt;
        final long startAt;
        final long doneAt;
        ObjectNode error;
        int httpErrorStatusCode;
        String httpErrorMessage;

        Operation(String project, String scope, String location, String name, long id, String type, String targetLink,
                long targetId, Instant inserted, long createdAt, long startAt, long doneAt) {
            this.project = project;
            this.scope = scope;
            this.location = location;
            this.name = name;
            this.id = id;
            this.type = type;
            this.targetLink = targetLink;
            this.targetId = targetId;
            this.inserted = inserted;
            this.createdAt = createdAt;
            this.startAt = startAt;
            this.doneAt = doneAt;
        }

        String status(long now) {
            if (now < startAt) {
                return "PENDING";
            }
            return now < doneAt ? "RUNNING" : "DONE";
        }

        String key() {
            return key(scope, location, name);
        }

        static String key(String scope, String location, String name) {
            return scope + "/" + location + "/" + name;
        }
    }
}
