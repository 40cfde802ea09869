package dev.kiln.aws.internal;

import dev.kiln.aws.AwsProvider;
import dev.kiln.limits.ProviderDefaults;
import dev.kiln.plan.ProviderCatalog;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * What plans may name with {@code provider: aws}, straight from the AWS SDK Kiln is built with:
 * its regions ({@link Region#regions()}, less the global pseudo-regions) and, as limits, the
 * buckets of {@link ProviderDefaults#aws()} and every EC2 API action (one {@link Ec2Client} method
 * per action, taking the action's request).
 */
public final class AwsCatalog {

    private static final Pattern EC2_REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d{1,2}");

    private static final ProviderCatalog CATALOG = ProviderCatalog.builder(AwsProvider.ID)
            .aliases("amazon", "amazonaws", "ec2", "amazon-ebs")
            .regions("the AWS SDK's list", Region.regions().stream().map(Region::id)
                    .filter(id -> EC2_REGION.matcher(id).matches()).toList())
            .limits(ProviderDefaults.aws())
            .limits(target -> Ec2Actions.NAMES)
            .limitsInWords("every EC2 API action by name (RunInstances, DescribeImages, CreateTags...) and the"
                    + " resource buckets RunInstances.instances, StartInstances.instances, StopInstances.instances"
                    + " and TerminateInstances.instances")
            .build();

    private AwsCatalog() {
    }

    public static ProviderCatalog catalog() {
        return CATALOG;
    }

    /**
     * The EC2 actions, read when a plan first names a limit: listing them loads every request and
     * response class of the SDK (about 1,700 classes, a third of a second of every {@code kiln}
     * start that needs no limit checked).
     */
    private static final class Ec2Actions {
        static final Set<String> NAMES = ec2Actions();
    }

    private static Set<String> ec2Actions() {
        Set<String> actions = new TreeSet<>();
        for (Method m : Ec2Client.class.getMethods()) {
            Class<?>[] params = m.getParameterTypes();
            if (params.length == 1 && params[0].getName().startsWith("software.amazon.awssdk.services.ec2.model.")
                    && params[0].getSimpleName().endsWith("Request")) {
                String request = params[0].getSimpleName();
                actions.add(request.substring(0, request.length() - "Request".length()));
            }
        }
        return Collections.unmodifiableSet(actions);
    }
}
