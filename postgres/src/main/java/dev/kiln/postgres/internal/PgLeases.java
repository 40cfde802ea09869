package dev.kiln.postgres.internal;

import dev.kiln.spi.Lease;
import dev.kiln.spi.Leases;
import dev.kiln.time.TimeSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Job leases with fencing tokens, their fenced outcomes, and shared run starts. */
public final class PgLeases implements Leases {

    private final Database db;
    private final TimeSource time;

    private final String take;
    private final String extend;
    private final String extendAll;
    private final String end;
    private final String completeFenced;
    private final String readOutcome;
    private final String registerRun;
    private final String readRun;

    public PgLeases(Database db, TimeSource time) {
        this.db = db;
        this.time = time;
        // One statement: the row is created with token 1, or taken over (token + 1) when nobody holds
        // it, the holder's lease ran out, or the same owner leases again.
        take = db.sql("INSERT INTO {schema}.lease AS l (resource, fencing_token, owner, expires_at) VALUES (?, 1, ?, ?)"
                + " ON CONFLICT (resource) DO UPDATE SET fencing_token = l.fencing_token + 1,"
                + " owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at"
                + " WHERE l.owner IS NULL OR l.expires_at <= ? OR l.owner = EXCLUDED.owner"
                + " RETURNING l.fencing_token");
        extend = db.sql("UPDATE {schema}.lease SET expires_at = ?"
                + " WHERE resource = ? AND fencing_token = ? AND owner IS NOT NULL AND expires_at > ?");
        extendAll = db.sql("UPDATE {schema}.lease AS l SET expires_at = ?"
                + " FROM unnest(?::text[], ?::bigint[]) AS r(resource, fencing_token)"
                + " WHERE l.resource = r.resource AND l.fencing_token = r.fencing_token AND l.owner IS NOT NULL"
                + " AND l.expires_at > ? RETURNING l.resource, l.fencing_token");
        end = db.sql("UPDATE {schema}.lease SET owner = NULL, expires_at = NULL"
                + " WHERE resource = ? AND fencing_token = ? AND owner IS NOT NULL");
        // Ending the live lease and recording its outcome are one statement: a holder whose token
        // is stale or whose lease ran out ends nothing, and so records nothing.
        completeFenced = db.sql("WITH ended AS (UPDATE {schema}.lease SET owner = NULL, expires_at = NULL"
                + " WHERE resource = ? AND fencing_token = ? AND owner IS NOT NULL AND expires_at > ?"
                + " RETURNING resource, fencing_token)"
                + " INSERT INTO {schema}.job_outcome (resource, outcome, owner, fencing_token, recorded_at)"
                + " SELECT resource, ?, ?, fencing_token, ? FROM ended"
                + " ON CONFLICT (resource) DO UPDATE SET outcome = EXCLUDED.outcome, owner = EXCLUDED.owner,"
                + " fencing_token = EXCLUDED.fencing_token, recorded_at = EXCLUDED.recorded_at");
        readOutcome = db.sql("SELECT outcome FROM {schema}.job_outcome WHERE resource = ?");
        registerRun = db.sql("INSERT INTO {schema}.run (run_id, started_at, started_at_nano) VALUES (?, ?, ?)"
                + " ON CONFLICT (run_id) DO NOTHING");
        readRun = db.sql("SELECT started_at, started_at_nano FROM {schema}.run WHERE run_id = ?");
    }

    @Override
    public Optional<Lease> tryLease(String resource, String owner, Duration ttl) {
        Instant now = time.now();
        Instant expiresAt = Database.stored(now.plus(ttl));
        return db.autocommit("leasing " + resource + " to " + owner, c -> {
            try (PreparedStatement ps = c.prepareStatement(take)) {
                ps.setString(1, resource);
                ps.setString(2, owner);
                ps.setObject(3, Database.param(expiresAt));
                ps.setObject(4, Database.param(now));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new Lease(resource, owner, rs.getLong(1), expiresAt))
                            : Optional.<Lease>empty();
                }
            }
        });
    }

    @Override
    public boolean renew(Lease lease, Duration ttl) {
        Instant now = time.now();
        return db.autocommit("renewing the lease of " + lease.resource() + " (token " + lease.fencingToken() + ")", c -> {
            try (PreparedStatement ps = c.prepareStatement(extend)) {
                ps.setObject(1, Database.param(now.plus(ttl)));
                ps.setString(2, lease.resource());
                ps.setLong(3, lease.fencingToken());
                ps.setObject(4, Database.param(now));
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Extends every lease of {@code leases} still held, in one statement; returns the others. */
    @Override
    public List<Lease> renewAll(Collection<Lease> leases, Duration ttl) {
        if (leases.isEmpty()) {
            return List.of();
        }
        Instant now = time.now();
        String[] resources = leases.stream().map(Lease::resource).toArray(String[]::new);
        Long[] tokens = leases.stream().map(Lease::fencingToken).toArray(Long[]::new);
        Set<String> renewed = db.autocommit("renewing " + leases.size() + " leases", c -> {
            try (PreparedStatement ps = c.prepareStatement(extendAll)) {
                ps.setObject(1, Database.param(now.plus(ttl)));
                ps.setArray(2, c.createArrayOf("text", resources));
                ps.setArray(3, c.createArrayOf("bigint", tokens));
                ps.setObject(4, Database.param(now));
                Set<String> out = new HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1) + "\u0000" + rs.getLong(2));
                    }
                }
                return out;
            }
        });
        return leases.stream().filter(l -> !renewed.contains(l.resource() + "\u0000" + l.fencingToken())).toList();
    }

    @Override
    public void release(Lease lease) {
        db.autocommit("releasing the lease of " + lease.resource() + " (token " + lease.fencingToken() + ")", c -> {
            try (PreparedStatement ps = c.prepareStatement(end)) {
                ps.setString(1, lease.resource());
                ps.setLong(2, lease.fencingToken());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean complete(Lease lease, String outcome) {
        Instant now = time.now();
        return db.autocommit("recording the outcome of " + lease.resource() + " (token " + lease.fencingToken() + ")",
                c -> {
                    try (PreparedStatement ps = c.prepareStatement(completeFenced)) {
                        ps.setString(1, lease.resource());
                        ps.setLong(2, lease.fencingToken());
                        ps.setObject(3, Database.param(now));
                        ps.setString(4, outcome);
                        ps.setString(5, lease.owner());
                        ps.setObject(6, Database.param(now));
                        return ps.executeUpdate() == 1;
                    }
                });
    }

    @Override
    public Optional<String> outcome(String resource) {
        return db.autocommit("reading the outcome of " + resource, c -> {
            try (PreparedStatement ps = c.prepareStatement(readOutcome)) {
                ps.setString(1, resource);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    @Override
    public Instant joinRun(String runId, Instant startedAt) {
        return db.autocommit("registering run " + runId, c -> {
            try (PreparedStatement ps = c.prepareStatement(registerRun)) {
                ps.setString(1, runId);
                ps.setObject(2, Database.param(startedAt));
                ps.setInt(3, startedAt.getNano());
                ps.executeUpdate();
            }
            // A separate statement, so it sees the row even when another node inserted it first.
            try (PreparedStatement ps = c.prepareStatement(readRun)) {
                ps.setString(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    Instant micros = rs.getObject(1, OffsetDateTime.class).toInstant();
                    return Instant.ofEpochSecond(micros.getEpochSecond(), rs.getInt(2));
                }
            }
        });
    }
}
