package dev.kiln.emulators.aws;

import dev.kiln.emulators.TaggedResource;
import dev.kiln.emulators.aws.Resources.BlockDevice;
import dev.kiln.emulators.aws.Resources.Image;
import dev.kiln.emulators.aws.Resources.Resource;
import dev.kiln.time.TimeSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Every account and region of one emulator. One lock (this object) guards all of it: emulator
 * traffic is small, and one lock keeps cross-region actions such as CopyImage free of lock order.
 */
final class Ec2World {

    /** Owner of the public images every region offers, with the alias EC2 gives Amazon's own. */
    static final String AMAZON_OWNER = "137112412989";
    static final String CANONICAL_OWNER = "099720109477";

    /** The public images in every region: name, owner, alias, root size, description. */
    private static final List<String[]> PUBLIC_IMAGES = List.of(
            new String[] {"amzn2-ami-hvm-2.0.20251201.0-x86_64-gp2", AMAZON_OWNER, "amazon", "8",
                "Amazon Linux 2 AMI 2.0.20251201.0 x86_64 HVM gp2"},
            new String[] {"amzn2-ami-hvm-2.0.20260101.0-x86_64-gp2", AMAZON_OWNER, "amazon", "8",
                "Amazon Linux 2 AMI 2.0.20260101.0 x86_64 HVM gp2"},
            new String[] {"al2023-ami-2023.6.20260101.0-kernel-6.1-x86_64", AMAZON_OWNER, "amazon", "8",
                "Amazon Linux 2023 AMI 2023.6.20260101.0 x86_64 HVM kernel-6.1"},
            new String[] {"ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20260101", CANONICAL_OWNER, null, "8",
                "Canonical, Ubuntu, 22.04 LTS, amd64 jammy image build on 2026-01-01"});

    final Ec2Config config;
    final TimeSource time;
    private final Map<String, Ec2Region> regions = new LinkedHashMap<>();
    private final Map<String, List<Image>> publicImages = new LinkedHashMap<>();
    private SplittableRandom random;
    private int publicIpCounter;

    Ec2World(Ec2Config config) {
        this.config = config;
        this.time = config.time();
        this.random = new SplittableRandom(config.seed());
    }

    synchronized Ec2Region region(String account, String region) {
        return regions.computeIfAbsent(account + "/" + region, k -> new Ec2Region(this, account, region));
    }

    /** The region's state if anyone has touched it; null otherwise. */
    synchronized Ec2Region existing(String account, String region) {
        return regions.get(account + "/" + region);
    }

    synchronized void reset() {
        regions.clear();
        random = new SplittableRandom(config.seed());
        publicIpCounter = 0;
    }

    /** A new id such as {@code i-0a1b2c3d4e5f60718}: the prefix, a 0 and 16 hex digits, as EC2's long ids. */
    synchronized String id(String prefix) {
        return prefix + "-0" + String.format("%016x", random.nextLong());
    }

    synchronized String requestId() {
        return new UUID((random.nextLong() & ~0xf000L) | 0x4000L, (random.nextLong() & ~(3L << 62)) | (2L << 62))
                .toString();
    }

    synchronized String publicIp() {
        int n = publicIpCounter++;
        return "3." + (80 + (n >> 16 & 63)) + "." + (n >> 8 & 255) + "." + (n & 255);
    }

    Instant now() {
        return time.now();
    }

    long nanos() {
        return time.nanoTime();
    }

    /** The public images of {@code region}, the same for every account; their ids derive from region and name. */
    synchronized List<Image> publicImages(String region) {
        return publicImages.computeIfAbsent(region, r -> {
            List<Image> out = new ArrayList<>();
            for (String[] p : PUBLIC_IMAGES) {
                Image img = new Image("ami-" + stableHex(r + "/" + p[0]));
                img.name = p[0];
                img.ownerId = p[1];
                img.ownerAlias = p[2];
                img.description = p[4];
                img.isPublic = true;
                img.state = "available";
                img.creationDate = Instant.parse("2026-01-01T00:00:00Z");
                img.blockDevices.add(new BlockDevice("/dev/xvda", "snap-" + stableHex(r + "/snap/" + p[0]),
                        Integer.parseInt(p[3]), "gp2", true));
                out.add(img);
            }
            return List.copyOf(out);
        });
    }

    synchronized List<TaggedResource> resourcesTagged(String key, String value) {
        List<TaggedResource> out = new ArrayList<>();
        for (Ec2Region r : regions.values()) {
            r.tick();
            for (Resource res : r.taggable()) {
                if (value.equals(res.tags.get(key)) && r.isLive(res)) {
                    out.add(new TaggedResource(Ec2Emulator.PROVIDER, r.account, r.region, res.type(), res.id,
                            res.state(), res.tags));
                }
            }
        }
        return List.copyOf(out);
    }

    static String stableHex(String seed) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            return "0" + HexFormat.of().formatHex(d).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
