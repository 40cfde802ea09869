package dev.kiln.aws.internal;

import dev.kiln.naming.NameRule;
import dev.kiln.naming.NameRules;
import dev.kiln.plan.Target;
import java.util.List;
import software.amazon.awssdk.services.ec2.model.Image;

/** AMI names: EC2's rule, unique per account and region, and whether one is taken. */
public final class Names {

    private final Api api;

    public Names(Api api) {
        this.api = api;
    }

    public NameRule rule() {
        return NameRules.aws();
    }

    /** Whether an AMI of the account in the target's region has the name; deregistered ones do not count. */
    public boolean exists(Target target, String name) {
        List<Image> images = api.ec2(target, "DescribeImages", ec2 -> ec2.describeImages(r -> r.owners("self")
                .filters(Tags.filter("name", name)))).images();
        return images.stream().anyMatch(i -> !"deregistered".equals(i.stateAsString()));
    }
}
