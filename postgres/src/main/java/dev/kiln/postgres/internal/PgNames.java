package dev.kiln.postgres.internal;

import dev.kiln.spi.ImageNames;
import dev.kiln.time.TimeSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/** Image-name reservations, unique per (scope, name). */
public final class PgNames implements ImageNames {

    private final Database db;
    private final TimeSource time;
    private final String claim;
    private final String free;

    public PgNames(Database db, TimeSource time) {
        this.db = db;
        this.time = time;
        // The no-op update makes the row come back when its owner asks again, and only then.
        claim = db.sql("INSERT INTO {schema}.name_reservation AS n (scope, name, owner, reserved_at) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (scope, name) DO UPDATE SET owner = n.owner WHERE n.owner = EXCLUDED.owner"
                + " RETURNING n.owner");
        free = db.sql("DELETE FROM {schema}.name_reservation WHERE scope = ? AND name = ? AND owner = ?");
    }

    @Override
    public boolean tryReserve(String scope, String name, String owner) {
        return db.autocommit("reserving name " + name + " in " + scope, c -> {
            try (PreparedStatement ps = c.prepareStatement(claim)) {
                ps.setString(1, scope);
                ps.setString(2, name);
                ps.setString(3, owner);
                ps.setObject(4, Database.param(time.now()));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public void release(String scope, String name, String owner) {
        db.autocommit("releasing name " + name + " in " + scope, c -> {
            try (PreparedStatement ps = c.prepareStatement(free)) {
                ps.setString(1, scope);
                ps.setString(2, name);
                ps.setString(3, owner);
                return ps.executeUpdate();
            }
        });
    }
}
