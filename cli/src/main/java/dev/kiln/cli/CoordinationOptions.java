package dev.kiln.cli;

import dev.kiln.Kiln;
import dev.kiln.KilnException;
import dev.kiln.postgres.PostgresCoordination;
import dev.kiln.report.TextTable;
import dev.kiln.spi.Coordination;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * How {@code kiln run} becomes one node of many: the PostgreSQL store they share, this node's id,
 * the shared run to join and how long a dead node's leases live. Without a store, none of it applies.
 */
final class CoordinationOptions {

    static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(30);
    /** Where the store's password comes from, as for psql. */
    static final String PASSWORD_VARIABLE = "PGPASSWORD";
    private static final Duration MIN_LEASE_TTL = Duration.ofSeconds(1);
    private static final Pattern NODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,99}");
    private static final Pattern RUN_ID = Pattern.compile("[a-z0-9]{1,12}");

    @Option(names = "--coordination", paramLabel = "URL",
            description = "Share limits, quotas, image names and jobs with every kiln pointed at the same PostgreSQL"
                    + " database: postgres://user@host:port/database (or jdbc:postgresql://...). The user is the"
                    + " URL's, else PGUSER; the password comes from PGPASSWORD, never from the URL. The schema 'kiln'"
                    + " is created or migrated on first use."
                    + " Environment: KILN_COORDINATION. Default: none (this process alone).")
    String url;

    @Option(names = "--node", paramLabel = "ID",
            description = "This node's id in the fleet (letters, digits, . _ @ -; at most 100; not 'local')."
                    + " Environment: KILN_NODE. Default: host name and process id. Needs --coordination.")
    String node;

    @Option(names = "--run-id", paramLabel = "ID",
            description = "Join the shared run ID (1 to 12 lowercase letters and digits), or start it: every node"
                    + " given the same plan and run id builds its share of one fleet, each job exactly once."
                    + " Environment: KILN_RUN_ID. Default: a new run of this node alone. Needs --coordination.")
    String runId;

    @Option(names = "--lease-ttl", paramLabel = "DURATION", converter = Durations.class,
            description = "How long a node's job leases and heartbeats live unrenewed (renewed every third of it):"
                    + " when a node dies, its jobs move to the others after this. At least 1s. Environment:"
                    + " KILN_LEASE_TTL. Default: 30s. Needs --coordination.")
    Duration leaseTtl;

    @Option(names = "--rebuild",
            description = "Build even where another run sharing the store is building an identical image right now"
                    + " (same job, template and variables), instead of waiting for it and reusing its image."
                    + " Environment: KILN_REBUILD=true. Needs --coordination.")
    Boolean rebuild;

    /**
     * The settings as flags and environment give them, checked; null when no store is named.
     *
     * @throws UsageException for a setting that is malformed, or given without a store, and for a URL
     *                        that is not PostgreSQL's or carries a password
     */
    Fleet resolve(CliContext ctx) {
        Settings settings = new Settings(ctx);
        String store = settings.pick(url, "KILN_COORDINATION", s -> s, null);
        String nodeId = settings.pick(node, "KILN_NODE", s -> s, null);
        String run = settings.pick(runId, "KILN_RUN_ID", s -> s, null);
        Duration ttl = settings.duration(leaseTtl, "KILN_LEASE_TTL", null);
        Boolean fresh = settings.pick(rebuild, "KILN_REBUILD", Settings::yesOrNo, null);
        if (store == null) {
            String orphan = nodeId != null ? from(node, "--node", "KILN_NODE")
                    : run != null ? from(runId, "--run-id", "KILN_RUN_ID")
                    : ttl != null ? from(leaseTtl, "--lease-ttl", "KILN_LEASE_TTL")
                    : Boolean.TRUE.equals(fresh) ? from(rebuild, "--rebuild", "KILN_REBUILD") : null;
            if (orphan != null) {
                throw new UsageException(orphan + " applies to nodes sharing a coordination store; name the store"
                        + " with --coordination postgres://user@host:port/database (or KILN_COORDINATION)");
            }
            return null;
        }
        // The URL is checked now, so a bad one is reported before anything else happens.
        try {
            PostgresCoordination.builder(store);
        } catch (KilnException e) {
            throw new UsageException(from(url, "--coordination", "KILN_COORDINATION") + ": "
                    + forTheCommandLine(e.getMessage()));
        }
        if (nodeId == null) {
            nodeId = defaultNode();
        } else if (!NODE.matcher(nodeId).matches() || Coordination.LOCAL_NODE.equals(nodeId)) {
            throw new UsageException(from(node, "--node", "KILN_NODE") + " '" + nodeId + "' is not a node id; use 1"
                    + " to 100 letters, digits, '.', '_', '@' or '-', starting with a letter or digit, and not '"
                    + Coordination.LOCAL_NODE + "' (the id of a process alone)");
        }
        if (run != null && !RUN_ID.matcher(run).matches()) {
            throw new UsageException(from(runId, "--run-id", "KILN_RUN_ID") + " '" + run + "' is not a run id; use"
                    + " 1 to 12 lowercase letters and digits, e.g. the pipeline's number: p4711");
        }
        if (ttl == null) {
            ttl = DEFAULT_LEASE_TTL;
        } else if (ttl.compareTo(MIN_LEASE_TTL) < 0) {
            throw new UsageException(from(leaseTtl, "--lease-ttl", "KILN_LEASE_TTL") + " " + TextTable.duration(ttl)
                    + " is too short; use at least 1s (nodes renew every third of it)");
        }
        return new Fleet(store, nodeId, run, ttl, Boolean.TRUE.equals(fresh));
    }

    /**
     * The store's own message about its URL (already free of any password), told as the command
     * line's: the flag names where it came from, and the password can only come from PGPASSWORD.
     */
    private static String forTheCommandLine(String message) {
        return message.replaceFirst("^PostgreSQL coordination: ", "")
                .replace(" or the builder's password supplier", "");
    }

    private static String from(Object flag, String flagName, String envName) {
        return flag != null ? flagName : envName;
    }

    /** Like PostgreSQL's own default: host name and process id, e.g. {@code builder-7-4711}. */
    private static String defaultNode() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "node";
        }
        String safe = host.replaceAll("[^A-Za-z0-9._-]", "-");
        if (safe.isEmpty() || !Character.isLetterOrDigit(safe.charAt(0))) {
            safe = "node" + safe;
        }
        String pid = "-" + ProcessHandle.current().pid();
        return safe.substring(0, Math.min(safe.length(), 100 - pid.length())) + pid;
    }

    /**
     * One node's place in a fleet.
     *
     * @param url      the store, as given (it holds no password: the store refuses one)
     * @param node     this node's id
     * @param runId    the shared run to join, or null for a run of this node alone
     * @param leaseTtl how long leases and heartbeats live unrenewed
     * @param rebuild  whether identical builds of other runs are built again rather than reused
     */
    record Fleet(String url, String node, String runId, Duration leaseTtl, boolean rebuild) {

        /** Connects to the store (and migrates its schema); the password from PGPASSWORD, the user from PGUSER. */
        PostgresCoordination open(CliContext ctx) {
            PostgresCoordination.Builder b = PostgresCoordination.builder(url).nodeId(node);
            String user = ctx.env("PGUSER");
            if (user != null) {
                b.user(user);
            }
            String password = ctx.env(PASSWORD_VARIABLE);
            if (password != null) {
                b.password(password::toCharArray);
            }
            return b.build();
        }

        /** Makes {@code builder} this node of the fleet sharing {@code store}. */
        void configure(Kiln.Builder builder, Coordination store) {
            builder.coordination(store)
                    .sharing(s -> s.withNode(node).withLeaseTtl(leaseTtl).withReuseIdenticalBuilds(!rebuild));
        }

        /** How the run line says where this node stands, e.g. "as node n1 of shared run r7, through postgres://...". */
        String describe(String storeDescription) {
            return "as node " + node + (runId == null ? "" : " of shared run " + runId) + ", coordinated through "
                    + storeDescription;
        }
    }
}
