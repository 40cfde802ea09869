package dev.kiln.aws.internal;

import dev.kiln.KilnException;
import dev.kiln.plan.Target;
import dev.kiln.spi.SweepReport;
import dev.kiln.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.DescribeTagsResponse;
import software.amazon.awssdk.services.ec2.model.GroupIdentifier;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.KeyPairInfo;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagDescription;
import software.amazon.awssdk.services.ec2.model.Volume;

/**
 * Removes what a build left behind, found by its build-id tag (or what any build left, found by an
 * expiry tag that has passed), in dependency order: instances first (terminated, then waited for),
 * then the volumes they leave, AMIs, their snapshots, key pairs and security groups. Packer 1.6's
 * temporary key pair and security group carry no tags: the ones named {@code packer_*} of a swept
 * instance go too. An expiry sweep keeps AMIs and snapshots: it cannot tell a killed build's image
 * from a finished one.
 *
 * <p>Idempotent: what is gone already is not reported again. Waits happen in the run's time
 * source, with backoff, within the sweep timeout.
 */
public final class Sweeper {

    private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);
    private static final String PACKER_PREFIX = "packer_";
    private static final Duration FIRST_POLL = Duration.ofSeconds(1);
    private static final Duration LONGEST_POLL = Duration.ofSeconds(15);

    private final Api api;
    private final Duration timeout;

    public Sweeper(Api api, Duration timeout) {
        this.api = api;
        this.timeout = timeout;
    }

    public SweepReport sweep(Target target, String buildId) {
        return new Run(target, Selection.build(buildId)).sweep();
    }

    public SweepReport sweepExpired(Target target, Instant now) {
        return new Run(target, Selection.expiredAt(now)).sweep();
    }

    /** One sweep: what it found, deleted and could not delete. */
    private final class Run {
        private final Target target;
        private final Selection selection;
        private final TimeSource time = api.time();
        private final long deadline;
        private final List<String> deleted = new ArrayList<>();
        private final List<String> failed = new ArrayList<>();
        private final Map<String, Set<String>> tagged = new LinkedHashMap<>();
        private final Set<String> volumes = new LinkedHashSet<>();
        private final Set<String> snapshots = new LinkedHashSet<>();
        private final Set<String> groups = new LinkedHashSet<>();
        private final Set<String> keyNames = new LinkedHashSet<>();

        Run(Target target, Selection selection) {
            this.target = target;
            this.selection = selection;
            this.deadline = time.nanoTime() + timeout.toNanos();
        }

        SweepReport sweep() {
            findTagged();
            boolean instancesGone = instances();
            volumes.addAll(tagged("volume"));
            groups.addAll(tagged("security-group"));
            if (selection.deletesImages()) {
                snapshots.addAll(tagged("snapshot"));
            } else {
                keepImages();
            }
            if (instancesGone) {
                volumes();
            } else if (!volumes.isEmpty()) {
                failed.add("volumes " + volumes + ": left, their instances are not terminated yet");
            }
            if (selection.deletesImages()) {
                images();
                snapshots();
            }
            keyPairs();
            if (instancesGone) {
                securityGroups();
            } else if (!groups.isEmpty()) {
                failed.add("security groups " + groups + ": left, their instances are not terminated yet");
            }
            if (!deleted.isEmpty() || !failed.isEmpty()) {
                LOG.info("swept {} on {}: deleted {}{}", selection.describe(), target.key(), deleted,
                        failed.isEmpty() ? "" : ", could not delete " + failed);
            }
            return new SweepReport(deleted, failed);
        }

        private Set<String> tagged(String type) {
            return tagged.getOrDefault(type, Set.of());
        }

        /**
         * One look at every resource type: DescribeTags for both spellings of the tag, each resource
         * then judged on the tags found. Instances are left to {@link #instances()}, which sees
         * terminated ones too.
         */
        private void findTagged() {
            Map<String, List<Tag>> tagsOf = new LinkedHashMap<>();
            String token = null;
            do {
                String next = token;
                DescribeTagsResponse page = api.ec2(target, "DescribeTags", ec2 -> ec2.describeTags(r -> r
                        .filters(selection.tagFilters()).maxResults(1000).nextToken(next)));
                for (TagDescription t : page.tags()) {
                    if (!"instance".equals(t.resourceTypeAsString())) {
                        tagsOf.computeIfAbsent(t.resourceTypeAsString() + "/" + t.resourceId(), k -> new ArrayList<>())
                                .add(Tag.builder().key(t.key()).value(t.value()).build());
                    }
                }
                token = page.nextToken();
            } while (token != null && !token.isEmpty());
            tagsOf.forEach((resource, tags) -> {
                Selection.Verdict verdict = selection.judge(resource, tags);
                verdict.problem().ifPresent(failed::add);
                if (verdict.take()) {
                    int slash = resource.indexOf('/');
                    tagged.computeIfAbsent(resource.substring(0, slash), k -> new LinkedHashSet<>())
                            .add(resource.substring(slash + 1));
                }
            });
        }

        /** What an expiry sweep leaves: images and their snapshots, said in the log, not the report. */
        private void keepImages() {
            Set<String> kept = new LinkedHashSet<>();
            tagged("image").forEach(id -> kept.add("image/" + id));
            tagged("snapshot").forEach(id -> kept.add("snapshot/" + id));
            if (!kept.isEmpty()) {
                LOG.info("kept {} on {} although their expiry has passed: an expiry sweep never deletes images"
                        + " or snapshots (put kiln:expires-at in run_tags and run_volume_tags, not in tags or"
                        + " snapshot_tags)", kept, target.key());
            }
        }

        /**
         * Terminates the build's live instances and waits until they are; true when none is left
         * running. Instances are looked up by tag here, terminated ones included: packer may have
         * terminated its instance and been killed before deleting its key pair and group.
         */
        private boolean instances() {
            List<Instance> all = new ArrayList<>();
            for (Reservation res : api.ec2(target, "DescribeInstances", ec2 -> ec2.describeInstances(r -> r
                    .filters(selection.instanceFilters()))).reservations()) {
                for (Instance i : res.instances()) {
                    Selection.Verdict verdict = selection.judge("instance/" + i.instanceId(), i.tags());
                    if (!"terminated".equals(state(i))) {
                        // A terminated instance's odd tag leaves nothing behind worth a report.
                        verdict.problem().ifPresent(failed::add);
                    }
                    if (verdict.take()) {
                        all.add(i);
                    }
                }
            }
            for (Instance i : all) {
                for (GroupIdentifier g : i.securityGroups()) {
                    if (g.groupName() != null && g.groupName().startsWith(PACKER_PREFIX)) {
                        groups.add(g.groupId());
                    }
                }
                if (i.keyName() != null && i.keyName().startsWith(PACKER_PREFIX)) {
                    keyNames.add(i.keyName());
                }
                for (InstanceBlockDeviceMapping m : i.blockDeviceMappings()) {
                    if (m.ebs() != null && m.ebs().volumeId() != null) {
                        volumes.add(m.ebs().volumeId());
                    }
                }
            }
            List<String> liveIds = all.stream().filter(i -> !"terminated".equals(state(i)))
                    .map(Instance::instanceId).toList();
            if (liveIds.isEmpty()) {
                return true;
            }
            List<String> toTerminate = all.stream().filter(i -> liveIds.contains(i.instanceId())
                    && !"shutting-down".equals(state(i))).map(Instance::instanceId).toList();
            if (!toTerminate.isEmpty()) {
                try {
                    api.ec2(target, "TerminateInstances", ec2 -> ec2.terminateInstances(r -> r
                            .instanceIds(toTerminate)));
                } catch (AwsFailure e) {
                    failed.add("instances " + toTerminate + ": " + e.getMessage());
                    return false;
                }
            }
            liveIds.forEach(id -> deleted.add("instance/" + id));
            Duration wait = FIRST_POLL;
            while (true) {
                List<Instance> still = describeLive(liveIds);
                if (still.isEmpty()) {
                    return true;
                }
                if (!pause(wait)) {
                    for (Instance i : still) {
                        failed.add("instance/" + i.instanceId() + ": still " + state(i) + " "
                                + timeout.toSeconds() + " s after TerminateInstances");
                    }
                    return false;
                }
                wait = longer(wait);
            }
        }

        private static String state(Instance i) {
            return i.state() == null ? "unknown" : i.state().nameAsString();
        }

        /** Those of {@code ids} not terminated yet (instances already gone are not asked about by id). */
        private List<Instance> describeLive(List<String> ids) {
            List<Instance> out = new ArrayList<>();
            for (Reservation res : api.ec2(target, "DescribeInstances", ec2 -> ec2.describeInstances(r -> r
                    .filters(Tags.filter("instance-id", ids), Tags.filter("instance-state-name", "pending", "running",
                            "stopping", "stopped", "shutting-down")))).reservations()) {
                out.addAll(res.instances());
            }
            return out;
        }

        private void volumes() {
            if (volumes.isEmpty()) {
                return;
            }
            List<String> ids = List.copyOf(volumes);
            List<Volume> found = api.ec2(target, "DescribeVolumes", ec2 -> ec2.describeVolumes(r -> r
                    .filters(Tags.filter("volume-id", ids)))).volumes();
            for (Volume v : found) {
                String state = v.stateAsString();
                if ("deleting".equals(state) || "deleted".equals(state)) {
                    continue;
                }
                if (!"available".equals(state) && !"error".equals(state)) {
                    String to = v.attachments().isEmpty() ? "" : " to " + v.attachments().get(0).instanceId();
                    failed.add("volume/" + v.volumeId() + ": " + state + to + ", not deleted");
                    continue;
                }
                delete("volume/" + v.volumeId(), "DeleteVolume", () -> api.ec2(target, "DeleteVolume",
                        ec2 -> ec2.deleteVolume(r -> r.volumeId(v.volumeId()))));
            }
        }

        /** Every AMI carrying the build id, whatever its state: a failed build's image is not Kiln's to keep. */
        private void images() {
            List<String> ids = List.copyOf(tagged("image"));
            if (ids.isEmpty()) {
                return;
            }
            List<Image> found = api.ec2(target, "DescribeImages", ec2 -> ec2.describeImages(r -> r.owners("self")
                    .filters(Tags.filter("image-id", ids)))).images();
            for (Image img : found) {
                for (BlockDeviceMapping m : img.blockDeviceMappings()) {
                    if (m.ebs() != null && m.ebs().snapshotId() != null) {
                        snapshots.add(m.ebs().snapshotId());
                    }
                }
                delete("image/" + img.imageId() + " (" + img.stateAsString() + ")", "DeregisterImage",
                        () -> api.ec2(target, "DeregisterImage", ec2 -> ec2.deregisterImage(r -> r
                                .imageId(img.imageId()))));
            }
        }

        private void snapshots() {
            if (snapshots.isEmpty()) {
                return;
            }
            List<String> ids = List.copyOf(snapshots);
            List<Snapshot> found = api.ec2(target, "DescribeSnapshots", ec2 -> ec2.describeSnapshots(r -> r
                    .ownerIds("self").filters(Tags.filter("snapshot-id", ids)))).snapshots();
            for (Snapshot s : found) {
                delete("snapshot/" + s.snapshotId(), "DeleteSnapshot", () -> api.ec2(target, "DeleteSnapshot",
                        ec2 -> ec2.deleteSnapshot(r -> r.snapshotId(s.snapshotId()))));
            }
        }

        private void keyPairs() {
            Set<String> ids = tagged("key-pair");
            List<KeyPairInfo> found = new ArrayList<>();
            if (!ids.isEmpty()) {
                List<String> list = List.copyOf(ids);
                found.addAll(api.ec2(target, "DescribeKeyPairs", ec2 -> ec2.describeKeyPairs(r -> r
                        .filters(Tags.filter("key-pair-id", list)))).keyPairs());
            }
            if (!keyNames.isEmpty()) {
                List<String> names = List.copyOf(keyNames);
                for (KeyPairInfo k : api.ec2(target, "DescribeKeyPairs", ec2 -> ec2.describeKeyPairs(r -> r
                        .filters(Tags.filter("key-name", names)))).keyPairs()) {
                    if (found.stream().noneMatch(f -> f.keyPairId().equals(k.keyPairId()))) {
                        found.add(k);
                    }
                }
            }
            for (KeyPairInfo k : found) {
                delete("key-pair/" + k.keyName(), "DeleteKeyPair", () -> api.ec2(target, "DeleteKeyPair",
                        ec2 -> ec2.deleteKeyPair(r -> r.keyPairId(k.keyPairId()))));
            }
        }

        /** Groups can still be in use for a moment after their instances terminate: DependencyViolation is retried. */
        private void securityGroups() {
            Duration wait = FIRST_POLL;
            List<String> pending = new ArrayList<>(groups);
            while (!pending.isEmpty()) {
                List<String> busy = new ArrayList<>();
                for (String id : pending) {
                    try {
                        api.ec2(target, "DeleteSecurityGroup", ec2 -> ec2.deleteSecurityGroup(r -> r.groupId(id)));
                        deleted.add("security-group/" + id);
                    } catch (AwsFailure e) {
                        if (e.is("DependencyViolation")) {
                            busy.add(id);
                        } else if (!e.notFound()) {
                            failed.add("security-group/" + id + ": " + e.getMessage());
                        }
                    }
                }
                if (busy.isEmpty()) {
                    return;
                }
                if (!pause(wait)) {
                    busy.forEach(id -> failed.add("security-group/" + id + ": still in use (DependencyViolation) "
                            + timeout.toSeconds() + " s into the sweep"));
                    return;
                }
                wait = longer(wait);
                pending = busy;
            }
        }

        private void delete(String what, String action, Runnable call) {
            try {
                call.run();
                deleted.add(what);
            } catch (AwsFailure e) {
                if (!e.notFound()) {
                    failed.add(what + ": " + action + " failed: " + e.getMessage());
                }
            }
        }

        /** Waits {@code wait} in the run's time unless that passes the deadline; false when out of time. */
        private boolean pause(Duration wait) {
            long now = time.nanoTime();
            if (now >= deadline) {
                return false;
            }
            try {
                time.sleep(Duration.ofNanos(Math.min(wait.toNanos(), deadline - now)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KilnException("interrupted while sweeping " + selection.describe() + " on " + target.key()
                        + "; deleted so far: " + deleted);
            }
            return true;
        }

        private Duration longer(Duration wait) {
            Duration doubled = wait.multipliedBy(2);
            return doubled.compareTo(LONGEST_POLL) > 0 ? LONGEST_POLL : doubled;
        }
    }
}
