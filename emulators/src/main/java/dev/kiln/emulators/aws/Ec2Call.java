package dev.kiln.emulators.aws;

import java.util.List;

/** One EC2 action being answered: where, with what, under which request id. */
record Ec2Call(Ec2World world, Ec2Region region, String action, QueryParams params, String requestId) {

    Xml response() {
        return Xml.response(action, requestId);
    }

    String account() {
        return region.account;
    }

    String regionName() {
        return region.region;
    }

    /** EC2's answer for ids that do not exist: one id, or several joined. */
    static String idList(List<String> ids) {
        return String.join(", ", ids);
    }
}
