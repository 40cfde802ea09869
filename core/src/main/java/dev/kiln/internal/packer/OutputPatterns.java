package dev.kiln.internal.packer;

import dev.kiln.job.FailureClass;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What packer and the providers' SDKs print for each kind of failure, as packer 1.6 and its
 * builders word it (AWS SDK errors as {@code Code: message\n\tstatus code: N}, Azure autorest errors
 * as {@code Code="..." Message="..."}, Google API errors as {@code googleapi: Error N: message, reason}).
 * Rules are tried in order; the first that matches a line decides.
 */
public final class OutputPatterns {

    /** One rule: lines matching {@code pattern} mean {@code failure}. */
    public record Rule(FailureClass failure, Pattern pattern) {
    }

    public static final Pattern THROTTLE = anyOf(
            "RequestLimitExceeded",
            "\\bThrottl(?:ing|ed)(?:Exception)?\\b",
            "\\bTooManyRequests\\b",
            "(?i)\\btoo many requests\\b",
            "\\b(?:user)?[rR]ateLimitExceeded\\b",
            "(?i)\\brate exceeded\\b",
            "(?i)\\brate limit exceeded\\b",
            "(?i)\\b(?:status ?code|statuscode|http|error|response)[\"']?\\s*[:=]?\\s*[\"']?429\\b",
            "\\b429 Too Many Requests\\b",
            "\\bSlowDown\\b");

    private static final List<Rule> RULES = List.of(
            rule(FailureClass.TEMPLATE_INVALID,
                    "Failed to parse template",
                    "Failed to prepare build",
                    "Failed to initialize build",
                    "Failed preparing (?:provisioner|post-processor)",
                    "Error parsing JSON",
                    "Error initializing core",
                    "\\bUnknown (?:variable|builder|provisioner|post-processor)\\b",
                    "required variable not set",
                    "Unsupported (?:attribute|argument|block type)",
                    "Missing required argument",
                    "Invalid template",
                    "(?i)Error: Failed to read variable"),
            rule(FailureClass.NAME_COLLISION,
                    "InvalidAMIName\\.Duplicate",
                    "is used by an existing AMI",
                    "the managed image named .* already exists",
                    "already exists, you can use -force flag",
                    "(?i)\\b(?:image|ami|template|snapshot|gallery image version)\\b.*\\balready exists\\b",
                    "(?i)\\balreadyExists\\b"),
            rule(FailureClass.AUTH,
                    "\\bAuthFailure\\b",
                    "\\bUnauthorizedOperation\\b",
                    "\\bNoCredentialProviders\\b",
                    "\\bInvalidClientTokenId\\b",
                    "\\bSignatureDoesNotMatch\\b",
                    "\\bExpiredToken(?:Exception)?\\b",
                    "\\bAccessDenied(?:Exception)?\\b",
                    "\\bAuthorizationFailed\\b",
                    "\\bInvalidAuthenticationToken\\w*\\b",
                    "\\binvalid_client\\b",
                    "\\binvalid_grant\\b",
                    "\\bunauthorized_client\\b",
                    "\\bAADSTS\\d+\\b",
                    "googleapi: Error 401\\b",
                    "googleapi: Error 403: .*, (?:forbidden|insufficientPermissions|accessNotConfigured|authError)\\b",
                    "(?i)\\bcould not find default credentials\\b",
                    "(?i)incorrect user name or password",
                    "(?i)Permission to perform this operation was denied",
                    "\\bNoPermission\\b",
                    "(?i)\\b40[13] (?:Unauthorized|Forbidden)\\b",
                    "(?i)(?:status ?code|statuscode)[\"']?\\s*[:=]\\s*[\"']?40[13]\\b.*(?i:auth|credential|forbidden|denied|permission)"),
            // An API call that never reached the provider (packer 1.6.6 says "Post https://ec2...: dial tcp:
            // lookup ec2...: no such host"). Limited to DNS and HTTPS so an SSH "connection refused" while
            // the instance boots stays the communicator's.
            rule(FailureClass.NETWORK,
                    "(?i)\\bno such host\\b",
                    "(?i)temporary failure in name resolution",
                    "(?i)\\bserver misbehaving\\b",
                    "\\bRequestError: send request failed\\b",
                    "(?i)\\bTLS handshake timeout\\b",
                    "(?i)dial tcp [^ ]*:443: .*(?:connection refused|i/o timeout|network is unreachable|no route to host)",
                    "(?i)https://\\S+: (?:read|write) tcp .*(?:connection reset by peer|i/o timeout)"),
            rule(FailureClass.QUOTA,
                    "\\bVcpuLimitExceeded\\b",
                    "\\bInstanceLimitExceeded\\b",
                    "\\b(?:Volume|Snapshot|Address|Resource|AMIQuota)LimitExceeded\\b",
                    "\\bMaxSpotInstanceCountExceeded\\b",
                    "(?i)exceeding approved .*quota",
                    "\\bQUOTA_EXCEEDED\\b",
                    "\\bquotaExceeded\\b",
                    "\\bQuotaExceeded\\b",
                    "Quota '[^']+' exceeded",
                    "(?i)\\bquota (?:exceeded|limit)\\b"),
            rule(FailureClass.CAPACITY,
                    "\\bInsufficient(?:Instance|Host)?Capacity\\b",
                    "\\bZONE_RESOURCE_POOL_EXHAUSTED\\w*\\b",
                    "does not have enough resources available to fulfill the request",
                    "\\bSkuNotAvailable\\b",
                    "\\b(?:Zonal)?AllocationFailed\\b",
                    "\\bOverconstrainedAllocationRequest\\b",
                    "\\bInsufficientResourcesFault\\b",
                    "(?i)\\binsufficient (?:resources|disk space|capacity)\\b"),
            new Rule(FailureClass.THROTTLED, THROTTLE),
            rule(FailureClass.COMMUNICATOR_TIMEOUT,
                    "Timeout waiting for (?:SSH|WinRM)",
                    "Error waiting for (?:SSH|WinRM)",
                    "(?i)timeout during ssh handshake",
                    "(?i)Timeout waiting for (?:IP|the instance to become reachable)"),
            rule(FailureClass.PROVISIONER_FAILED,
                    "Script exited with non-zero exit status",
                    "Erroneous exit code",
                    "Error running shell-local",
                    "Error executing script",
                    "Error executing Ansible",
                    "Error running (?:remote )?command",
                    "Error uploading (?:script|file)",
                    "Error processing command",
                    "Provisioning step had errors",
                    "(?i)provisioner .* failed"),
            // govmomi words every vim25 fault as "ServerFaultCode: <message>": vCenter answered a call of
            // a running build, so the build started and its template was fine. Without this rule the
            // fault is all a build's error lines hold, which reads as a failure before any build started
            // (TEMPLATE_INVALID, never retried); packer's vsphere builders racing each other to create
            // a datastore's packer_cache end that way, and a second attempt finds it made.
            rule(FailureClass.UNKNOWN,
                    "\\bServerFaultCode: "));

    private static final Pattern WAITING = Pattern.compile("Waiting for (SSH|WinRM) to become available");
    private static final Pattern CONNECTED = Pattern.compile("Connected to (SSH|WinRM)!");

    // Which API a throttled call was, where the output says: AWS SDK debug lines name
    // "ec2/RunInstances", Azure autorest errors "compute.VirtualMachinesClient#CreateOrUpdate";
    // otherwise packer's own step wording tells.
    private static final Pattern AWS_OPERATION = Pattern.compile("\\b(?:ec2|sts|iam|ssm|s3)/([A-Z][A-Za-z]+)\\b");
    private static final Pattern AZURE_OPERATION = Pattern.compile("\\b([a-z]+\\.[A-Za-z]+Client#[A-Za-z]+)\\b");
    private static final List<String[]> STEP_API = List.of(
            new String[] {"Error launching source instance", "RunInstances"},
            new String[] {"Error creating AMI", "CreateImage"},
            new String[] {"Error querying AMI", "DescribeImages"},
            new String[] {"Error waiting for AMI", "DescribeImages"},
            new String[] {"Error waiting for instance", "DescribeInstances"},
            new String[] {"Error stopping instance", "StopInstances"},
            new String[] {"Error terminating instance", "TerminateInstances"},
            new String[] {"Error creating temporary keypair", "CreateKeyPair"},
            new String[] {"Error creating temporary security group", "CreateSecurityGroup"},
            new String[] {"Error tagging", "CreateTags"},
            new String[] {"Error creating image", "images.insert"},
            new String[] {"Error creating instance", "instances.insert"},
            new String[] {"Error deleting instance", "instances.delete"},
            new String[] {"Error deleting disk", "disks.delete"});

    private OutputPatterns() {
    }

    /** The classification rules, most telling first. */
    public static List<Rule> rules() {
        return RULES;
    }

    /** Whether a line reports a throttled call. */
    public static boolean isThrottle(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        return THROTTLE_WORDS.stream().anyMatch(lower::contains) && THROTTLE.matcher(text).find();
    }

    /**
     * A word every alternative of {@link #THROTTLE} holds, lower-case: packer's lines are many and
     * throttles few, so the pattern is tried only on a line holding one.
     */
    private static final List<String> THROTTLE_WORDS = List.of("limit", "throttl", "many", "exceeded", "429",
            "slowdown");

    /** The API a throttle line names, if it does. */
    public static Optional<String> throttledApi(String text) {
        Matcher aws = AWS_OPERATION.matcher(text);
        if (aws.find()) {
            return Optional.of(aws.group(1));
        }
        Matcher azure = AZURE_OPERATION.matcher(text);
        if (azure.find()) {
            return Optional.of(azure.group(1));
        }
        for (String[] step : STEP_API) {
            if (text.contains(step[0])) {
                return Optional.of(step[1]);
            }
        }
        return Optional.empty();
    }

    /** {@code Waiting for SSH to become available...}: the communicator is not connected yet. */
    public static boolean isWaitingForCommunicator(String text) {
        return WAITING.matcher(text).find();
    }

    /** {@code Connected to SSH!}. */
    public static boolean isCommunicatorConnected(String text) {
        return CONNECTED.matcher(text).find();
    }

    /** The readable text of a raw output line (machine-readable escapes decoded). */
    public static String textOf(String line) {
        return MachineReadable.text(line);
    }

    /** Whether a raw output line is one packer printed as an error. */
    public static boolean isErrorLine(String line) {
        return MachineReadable.isErrorLine(line);
    }

    /**
     * Whether a text line shows a build under way ({@code ==> name: ...}, {@code Build 'name' ...})
     * rather than packer reading its template.
     */
    public static boolean showsBuildStarted(String text) {
        if (text.startsWith("Build '")) {
            return true;
        }
        return MachineReadable.buildOf(text).isPresent() && !text.startsWith("--> ");
    }

    private static Rule rule(FailureClass failure, String... patterns) {
        return new Rule(failure, anyOf(patterns));
    }

    // Each alternative in its own group, so a (?i) in one does not leak into the next.
    private static Pattern anyOf(String... patterns) {
        StringBuilder sb = new StringBuilder();
        for (String p : patterns) {
            if (sb.length() > 0) {
                sb.append('|');
            }
            sb.append("(?:").append(p).append(')');
        }
        return Pattern.compile(sb.toString());
    }
}
