package dev.kiln.aws.internal;

import dev.kiln.KilnException;
import dev.kiln.limits.Quota;
import dev.kiln.limits.QuotaSnapshot;
import dev.kiln.limits.Scope;
import dev.kiln.plan.BuildJob;
import dev.kiln.plan.Demand;
import dev.kiln.plan.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ec2.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.servicequotas.model.ServiceQuota;

/**
 * The quotas a build holds: on-demand standard vCPUs and AMIs per region, as Service Quotas tells
 * their limits and EC2 their usage; and the vCPUs of instance types, asked once per type.
 */
public final class Quotas {

    /** Service Quotas code of "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", in vCPUs. */
    static final String VCPU_QUOTA = "L-1216C47A";
    /** Service Quotas code of "AMIs" per region. */
    static final String AMI_QUOTA = "L-B665C33B";
    /** The metrics this provider probes, and so the only ones a demand may hold. */
    static final Set<String> METRICS = Set.of(Demand.VCPUS, Demand.IMAGES);

    /** Families counted in the standard on-demand quota; g, p, x, f, inf, dl, trn, u, vt, mac... have their own. */
    private static final Set<String> STANDARD_FAMILIES = Set.of("a", "c", "d", "h", "i", "m", "r", "t", "z", "im",
            "is");
    private static final Pattern FAMILY = Pattern.compile("([a-z]+)[0-9-].*");
    private static final Pattern ARN_ACCOUNT = Pattern.compile("arn:aws[a-z-]*:servicequotas:[^:]*:(\\d{12}):.*");

    private final Api api;
    private final boolean checkAccount;
    private final Map<String, Integer> vcpusByType = new ConcurrentHashMap<>();

    public Quotas(Api api, boolean checkAccount) {
        this.api = api;
        this.checkAccount = checkAccount;
    }

    public QuotaSnapshot probe(Target target) {
        ServiceQuota vcpuQuota = quota(target, VCPU_QUOTA);
        if (checkAccount) {
            checkAccount(target, vcpuQuota);
        }
        ServiceQuota amiQuota = quota(target, AMI_QUOTA);
        Map<String, Quota> quotas = new LinkedHashMap<>();
        quotas.put(Demand.VCPUS, new Quota(Demand.VCPUS, Scope.REGION, whole(vcpuQuota), vcpusInUse(target)));
        quotas.put(Demand.IMAGES, new Quota(Demand.IMAGES, Scope.REGION, whole(amiQuota), ownImages(target)));
        return new QuotaSnapshot(target, api.time().now(), quotas);
    }

    /** The applied quota, or AWS's default for accounts that never had it applied. */
    private ServiceQuota quota(Target target, String code) {
        try {
            return api.quotas(target, "GetServiceQuota", sq -> sq.getServiceQuota(r -> r.serviceCode("ec2")
                    .quotaCode(code))).quota();
        } catch (AwsFailure e) {
            if (!e.is("NoSuchResourceException")) {
                throw e;
            }
            return api.quotas(target, "GetAWSDefaultServiceQuota", sq -> sq.getAWSDefaultServiceQuota(r -> r
                    .serviceCode("ec2").quotaCode(code))).quota();
        }
    }

    private static long whole(ServiceQuota q) {
        Double v = q.value();
        return v == null || v < 0 ? 0 : (long) Math.floor(v);
    }

    /** The quota's ARN names the account the credentials act in: it must be the target's. */
    private static void checkAccount(Target target, ServiceQuota quota) {
        if (!target.account().matches("\\d{12}") || quota.quotaArn() == null) {
            return;
        }
        Matcher m = ARN_ACCOUNT.matcher(quota.quotaArn());
        if (m.matches() && !m.group(1).equals(target.account())) {
            throw new KilnException("the credentials for " + target.key() + " act in AWS account " + m.group(1)
                    + ", not " + target.account() + ": give the plan's account its own credentials with"
                    + " AwsProvider.builder().credentials(\"" + target.account() + "\", provider), or turn the"
                    + " check off with checkAccount(false)");
        }
    }

    /** vCPUs of pending and running instances of the standard families, as the quota counts them. */
    private long vcpusInUse(Target target) {
        List<Instance> instances = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            DescribeInstancesResponse page = api.ec2(target, "DescribeInstances", ec2 -> ec2.describeInstances(r -> r
                    .filters(Tags.filter("instance-state-name", "pending", "running")).maxResults(1000)
                    .nextToken(next)));
            for (Reservation res : page.reservations()) {
                instances.addAll(res.instances());
            }
            token = page.nextToken();
        } while (token != null && !token.isEmpty());
        Set<String> unknown = new LinkedHashSet<>();
        for (Instance i : instances) {
            if (i.cpuOptions() == null || i.cpuOptions().coreCount() == null) {
                unknown.add(i.instanceTypeAsString());
            }
        }
        lookUp(target, unknown);
        long sum = 0;
        for (Instance i : instances) {
            String type = i.instanceTypeAsString();
            if (!isStandard(type)) {
                continue;
            }
            if (i.cpuOptions() != null && i.cpuOptions().coreCount() != null) {
                int threads = i.cpuOptions().threadsPerCore() == null ? 1 : i.cpuOptions().threadsPerCore();
                sum += (long) i.cpuOptions().coreCount() * threads;
            } else {
                sum += vcpusByType.getOrDefault(type, 0);
            }
        }
        return sum;
    }

    /** The account's own AMIs here, whatever their state: each counts against the quota. */
    private long ownImages(Target target) {
        long count = 0;
        String token = null;
        do {
            String next = token;
            DescribeImagesResponse page = api.ec2(target, "DescribeImages", ec2 -> ec2.describeImages(r -> r
                    .owners("self").maxResults(1000).nextToken(next)));
            count += page.images().size();
            token = page.nextToken();
        } while (token != null && !token.isEmpty());
        return count;
    }

    /**
     * What one running build of {@code job} holds: the vCPUs of its instance type (when the type is
     * in the standard family) and one AMI. Metrics this provider does not probe are left out.
     */
    public Demand demandOf(BuildJob job) {
        String type = job.image().instanceSize() == null ? null : job.image().instanceSize().strip();
        long vcpus;
        if (type != null && !type.isEmpty() && !isStandard(type)) {
            vcpus = 0; // counted in another family's quota, which this provider does not probe
        } else if (job.image().vcpus() != null) {
            vcpus = job.image().vcpus();
        } else if (type != null && !type.isEmpty()) {
            vcpus = vcpus(job.target(), type);
        } else {
            vcpus = job.demand().get(Demand.VCPUS);
        }
        Demand d = Demand.NONE.with(Demand.VCPUS, vcpus).with(Demand.INSTANCES, 1).with(Demand.IMAGES, 1);
        Map<String, Long> kept = new LinkedHashMap<>();
        d.amounts().forEach((metric, amount) -> {
            if (METRICS.contains(metric)) {
                kept.put(metric, amount);
            }
        });
        return Demand.of(kept);
    }

    /** vCPUs of {@code type} as EC2 describes it in {@code target}'s region. */
    int vcpus(Target target, String type) {
        Integer known = vcpusByType.get(type);
        if (known != null) {
            return known;
        }
        lookUp(target, Set.of(type));
        known = vcpusByType.get(type);
        if (known == null) {
            throw new KilnException("EC2 in " + target.key() + " does not describe instance type '" + type
                    + "'; check the image's instance size");
        }
        return known;
    }

    private void lookUp(Target target, Set<String> types) {
        List<String> missing = types.stream().filter(t -> t != null && !vcpusByType.containsKey(t)).toList();
        for (int from = 0; from < missing.size(); from += 100) {
            List<String> batch = missing.subList(from, Math.min(missing.size(), from + 100));
            DescribeInstanceTypesResponse answer;
            try {
                answer = api.ec2(target, "DescribeInstanceTypes", ec2 -> ec2.describeInstanceTypes(r -> r
                        .instanceTypesWithStrings(batch)));
            } catch (AwsFailure e) {
                if (e.is("InvalidInstanceType")) {
                    throw new KilnException("EC2 in " + target.key() + " does not offer instance type(s) " + batch
                            + ": " + e.getMessage(), e);
                }
                throw e;
            }
            for (InstanceTypeInfo info : answer.instanceTypes()) {
                if (info.vCpuInfo() != null && info.vCpuInfo().defaultVCpus() != null) {
                    vcpusByType.put(info.instanceTypeAsString(), info.vCpuInfo().defaultVCpus());
                }
            }
        }
    }

    /** Whether {@code type}'s vCPUs count in the on-demand standard quota {@value #VCPU_QUOTA}. */
    static boolean isStandard(String type) {
        if (type == null) {
            return false;
        }
        Matcher m = FAMILY.matcher(type.toLowerCase(Locale.ROOT));
        return m.matches() && STANDARD_FAMILIES.contains(m.group(1));
    }
}
