package dev.kiln.postgres.internal;

import io.github.bucket4j.distributed.remote.CommandResult;
import io.github.bucket4j.distributed.remote.MutableBucketEntry;
import io.github.bucket4j.distributed.remote.RemoteCommand;
import io.github.bucket4j.distributed.remote.Request;
import io.github.bucket4j.distributed.remote.commands.EstimateAbilityToConsumeCommand;
import io.github.bucket4j.distributed.remote.commands.GetAvailableTokensCommand;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Bucket4j's select-for-update PostgreSQL backend, except that a command which only reads the
 * bucket is served by one plain {@code SELECT}: no transaction of its own, no row lock.
 *
 * <p>Admission probes the buckets of waiting builds ({@code estimateAbilityToConsume}) and reports
 * sample their levels ({@code getAvailableTokens}); through the backend each was {@code BEGIN},
 * {@code SELECT ... FOR UPDATE}, {@code COMMIT}, queued behind any other node's draw on the row, and
 * most of the store's statements. A read sees the last committed state, which is what the locked read
 * saw too, one moment later: the probe was already stale when its transaction committed, so the
 * lock bought nothing. Every command that may change the bucket (draws, refunds, configuration
 * changes, a missing bucket's creation) still takes the row lock and writes in one transaction, so
 * what is consumed stays exact across nodes; a probe only says when to try.
 */
final class PgBucketProxies extends PostgreSQLSelectForUpdateBasedProxyManager<String> {

    /** Bucket4j's commands that never set the entry's state: exactly these skip the lock. */
    private static final Set<Class<?>> READS = Set.of(EstimateAbilityToConsumeCommand.class,
            GetAvailableTokensCommand.class);

    private final Database db;
    private final String read;
    private final String readMany;

    PgBucketProxies(Database db, Bucket4jPostgreSQL.PostgreSQLSelectForUpdateBasedProxyManagerBuilder<String> backend) {
        super(backend);
        this.db = db;
        this.read = db.sql("SELECT state FROM {schema}.bucket WHERE id = ?");
        this.readMany = db.sql("SELECT id, state FROM {schema}.bucket WHERE id = ANY(?)");
    }

    @Override
    public <T> CommandResult<T> execute(String key, Request<T> request) {
        RemoteCommand<T> command = request.getCommand();
        if (!READS.contains(command.getClass())) {
            return super.execute(key, request);
        }
        byte[] state = db.autocommit("reading bucket " + key, c -> {
            try (PreparedStatement ps = c.prepareStatement(read)) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            }
        });
        if (state == null) {
            // Bucket4j's proxy answers this by creating the bucket, through the locked path.
            return CommandResult.bucketNotFound();
        }
        // The command refills a copy to compute its answer; the copy is never written back.
        return command.execute(new MutableBucketEntry(state), getClientSideTime());
    }

    /**
     * The tokens available now in each of the buckets {@code ids} that exist, read in one
     * statement as {@link #execute} reads one; a bucket no one created yet is left out.
     */
    Map<String, Long> availableTokens(Collection<String> ids) {
        Map<String, byte[]> states = db.autocommit("reading " + ids.size() + " buckets", c -> {
            Map<String, byte[]> found = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(readMany)) {
                Array array = c.createArrayOf("text", ids.toArray());
                ps.setArray(1, array);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.put(rs.getString(1), rs.getBytes(2));
                    }
                }
                array.free();
            }
            return found;
        });
        Map<String, Long> available = new HashMap<>();
        long now = getClientSideTime();
        states.forEach((id, state) -> available.put(id,
                new GetAvailableTokensCommand().execute(new MutableBucketEntry(state), now).getData()));
        return available;
    }
}
