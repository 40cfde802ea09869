-- Kiln's coordination store. Every time in these tables comes from the TimeSource of the node that
-- wrote it (passed as a parameter), never from the database's now(), so nodes and tests in virtual
-- time agree on what has expired.

-- Token buckets: Bucket4j's PostgreSQL backend keeps one row per limit key (LimitKey.toString()),
-- its state serialised by Bucket4j. A draw locks the row (SELECT ... FOR UPDATE), so every node
-- draws from the same tokens.
CREATE TABLE ${flyway:defaultSchema}.bucket (
    id    text PRIMARY KEY,
    state bytea
);

-- Fixed-window counters (per-minute rate quotas): one row per key and window.
CREATE TABLE ${flyway:defaultSchema}.window_count (
    limit_key    text        NOT NULL,
    window_start timestamptz NOT NULL,
    count        bigint      NOT NULL,
    PRIMARY KEY (limit_key, window_start)
);

-- Nodes that sent heartbeats. A node without a row never lapses; a row whose expires_at has passed
-- is a dead node: its row and its reservations are deleted by the next reservation or heartbeat.
CREATE TABLE ${flyway:defaultSchema}.node (
    node_id      text        PRIMARY KEY,
    expires_at   timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL
);
CREATE INDEX node_expires_at ON ${flyway:defaultSchema}.node (expires_at);

-- One row per reserved key, locked (in key order) by a reservation so that checking the capacity
-- and writing the new amounts are one atomic step across nodes.
CREATE TABLE ${flyway:defaultSchema}.reservation_key (
    limit_key text PRIMARY KEY
);

-- Quota and concurrency reservations: what each holder took of each key, and on which node.
CREATE TABLE ${flyway:defaultSchema}.reservation (
    limit_key   text        NOT NULL,
    holder      text        NOT NULL,
    node        text        NOT NULL,
    amount      bigint      NOT NULL,
    reserved_at timestamptz NOT NULL,
    PRIMARY KEY (limit_key, holder)
);
CREATE INDEX reservation_holder ON ${flyway:defaultSchema}.reservation (holder);
CREATE INDEX reservation_node ON ${flyway:defaultSchema}.reservation (node);

-- Image names: the primary key is the uniqueness constraint on (scope, name).
CREATE TABLE ${flyway:defaultSchema}.name_reservation (
    scope       text        NOT NULL,
    name        text        NOT NULL,
    owner       text        NOT NULL,
    reserved_at timestamptz NOT NULL,
    PRIMARY KEY (scope, name)
);

-- Job leases. The row outlives its leases so the fencing token only ever grows; owner and
-- expires_at are null while nobody holds the resource.
CREATE TABLE ${flyway:defaultSchema}.lease (
    resource      text        PRIMARY KEY,
    fencing_token bigint      NOT NULL,
    owner         text,
    expires_at    timestamptz,
    CHECK ((owner IS NULL) = (expires_at IS NULL))
);

-- Outcomes recorded by the live lease holder of a resource.
CREATE TABLE ${flyway:defaultSchema}.job_outcome (
    resource      text        PRIMARY KEY,
    outcome       text        NOT NULL,
    owner         text        NOT NULL,
    fencing_token bigint      NOT NULL,
    recorded_at   timestamptz NOT NULL
);

-- Runs shared by several nodes: the first node to register a run id sets its start. started_at
-- holds microseconds (PostgreSQL's precision); started_at_nano keeps the exact nanosecond of the
-- second, so every node gets back the very instant the first one passed.
CREATE TABLE ${flyway:defaultSchema}.run (
    run_id          text        PRIMARY KEY,
    started_at      timestamptz NOT NULL,
    started_at_nano integer     NOT NULL
);
