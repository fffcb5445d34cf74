package io.castai.events.outbox;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import io.castai.events.channels.ConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox's tables, created or brought up to date at start-up. Each migration runs once, in
 * order, each in its own transaction, recorded in {@code schema_version}; the SQL is what SQLite
 * and PostgreSQL both speak. A migration once shipped is never edited: a store it has run on
 * would keep the old version (add a migration instead). On PostgreSQL replicas starting together
 * take turns (an advisory lock), so one migrates; and as older replicas may be running (a rolling
 * upgrade), a migration waits at most {@link #LOCK_TIMEOUT} for a table, then lets go and tries
 * again: holding one table while waiting for another deadlocked with their queries, and queries
 * queue behind a migration's waiting lock.
 */
final class StoreSchema {
    private static final Logger LOG = LoggerFactory.getLogger(StoreSchema.class);
    /** Any number, the same in every replica: names the advisory lock that serialises migrations. */
    private static final long MIGRATION_LOCK = 0x6361737461694cL;
    /**
     * How long a migration waits for a table before it lets go of what it holds and tries again:
     * under PostgreSQL's deadlock_timeout (1 s), so in a cycle it is the migration that gives way.
     */
    static final Duration LOCK_TIMEOUT = Duration.ofMillis(500);
    private static final int ATTEMPTS = 120;
    /** PostgreSQL's lock_not_available (the lock timeout) and deadlock_detected. */
    private static final Set<String> LOCK_CONFLICTS = Set.of("55P03", "40P01");

    private static final List<String> MIGRATIONS = List.of(
            // 1: events and their deliveries (a data directory from before versioning has them already)
            """
            CREATE TABLE IF NOT EXISTS events (
                id TEXT PRIMARY KEY,
                body TEXT NOT NULL,
                accepted_at BIGINT NOT NULL,
                dispatched INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS deliveries (
                event_id TEXT NOT NULL,
                channel TEXT NOT NULL,
                message TEXT,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                next_attempt_at BIGINT NOT NULL,
                leased_until BIGINT NOT NULL DEFAULT 0,
                last_error TEXT,
                last_response TEXT,
                finished_at BIGINT,
                PRIMARY KEY (event_id, channel));
            CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_attempt_at);
            CREATE INDEX IF NOT EXISTS events_undispatched ON events (dispatched);
            CREATE INDEX IF NOT EXISTS events_accepted ON events (accepted_at)
            """,
            // 2: the pollers' leadership and checkpoints, shared by the replicas
            """
            CREATE TABLE IF NOT EXISTS leases (
                name TEXT PRIMARY KEY,
                owner TEXT NOT NULL,
                expires_at BIGINT NOT NULL);
            CREATE TABLE IF NOT EXISTS checkpoints (
                name TEXT PRIMARY KEY,
                state TEXT NOT NULL,
                saved_at BIGINT NOT NULL)
            """,
            // 3: events are stored routed, so an index over every event's flag was updated on each
            // insert to serve a query that finds none; a partial index holds only unrouted ones
            """
            DROP INDEX IF EXISTS events_undispatched;
            CREATE INDEX IF NOT EXISTS events_unrouted ON events (accepted_at) WHERE dispatched = 0
            """,
            // 4: due deliveries are claimed per channel (one channel's backlog does not hide
            // another's retries); only pending rows are indexed: small, quick to build (the
            // migration holds the table meanwhile), and it still counts the pending ones
            """
            DROP INDEX IF EXISTS deliveries_due;
            CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (channel, next_attempt_at) WHERE status = 'pending'
            """,
            // 5: the same indexes everywhere: the first release of 4 made deliveries_due_by_channel
            // (status, channel, next_attempt_at) instead, and a build from before 3 run again on a
            // newer store (a rollback) makes its own indexes again, which nothing else would drop
            """
            CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (channel, next_attempt_at) WHERE status = 'pending';
            CREATE INDEX IF NOT EXISTS events_unrouted ON events (accepted_at) WHERE dispatched = 0;
            DROP INDEX IF EXISTS deliveries_due_by_channel;
            DROP INDEX IF EXISTS deliveries_due;
            DROP INDEX IF EXISTS events_undispatched
            """,
            // 6: the oldest version of this schema a build may run on the store with: a migration
            // that older builds cannot live with (a column they do not fill) raises it, and they
            // then refuse to start instead of failing on every write
            """
            CREATE TABLE IF NOT EXISTS schema_readers (oldest INTEGER NOT NULL);
            INSERT INTO schema_readers (oldest) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM schema_readers)
            """,
            // 7: the channel type each delivery's message was rendered for: a channel whose type
            // changed under the same name must not send a message rendered for the old one. Older
            // builds leave it empty (unknown), so they may still run on the store
            """
            ALTER TABLE deliveries ADD COLUMN rendered_for TEXT
            """,
            // 8: PagerDuty incidents a resolve was delivered for (channel and dedup key), with when
            // the resolve's event was accepted: a trigger accepted before it and sent after it
            // would open an incident nothing closes, also after a restart or from another replica.
            // Older builds do not read it, so they may still run on the store
            """
            CREATE TABLE IF NOT EXISTS resolved_incidents (
                incident TEXT PRIMARY KEY,
                resolved_by BIGINT NOT NULL)
            """,
            // 9: an incident's row holds its latest delivered event, a trigger too (a resolve retried
            // after a newer trigger would close an incident nobody has seen), ordered by when it
            // happened, then when it was accepted (resolved_by). Older builds read resolved_by as
            // before (to them a newer trigger looks like a resolve: they hold back an older trigger,
            // which changes nothing), so they may still run on the store
            """
            ALTER TABLE resolved_incidents ADD COLUMN happened_at BIGINT
            """,
            // 10: which resolved_by a row's happened_at belongs to: an older build moves resolved_by
            // on without it, and a happened_at left behind would date that build's resolve back to
            // the event before (a trigger from between them would then be sent); happened_at counts
            // only while happened_for is that row's resolved_by
            """
            ALTER TABLE resolved_incidents ADD COLUMN happened_for BIGINT
            """);

    private StoreSchema() {
    }

    static void migrate(Connection c, boolean postgres) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (postgres) {
                s.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
            }
            try {
                s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
                for (int i = version(s); i < MIGRATIONS.size(); i++) {
                    run(c, s, i, postgres);
                }
                refuseANewerSchemaThisBuildCannotUse(s);
            } finally {
                if (postgres) {
                    s.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
                }
            }
        }
    }

    /** A store a newer build migrated so that this one can no longer write it: start-up stops, saying so. */
    private static void refuseANewerSchemaThisBuildCannotUse(Statement s) throws SQLException {
        int oldest;
        try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(oldest), 1) FROM schema_readers")) {
            rs.next();
            oldest = rs.getInt(1);
        }
        if (oldest > MIGRATIONS.size()) {
            throw new ConfigurationException("the outbox was migrated by a newer castai-events (schema " + version(s)
                    + ") that this one (schema " + MIGRATIONS.size() + ") cannot run on: start that version or a newer one");
        }
    }

    private static int version(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Migration {@code i} (0-based) in one transaction; on PostgreSQL tried again while a table stays locked. */
    private static void run(Connection c, Statement s, int i, boolean postgres) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            c.setAutoCommit(false);
            try {
                if (postgres) {
                    s.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT.toMillis() + "ms'");
                }
                for (String ddl : MIGRATIONS.get(i).split(";")) {
                    if (!ddl.isBlank()) {
                        s.execute(ddl);
                    }
                }
                s.executeUpdate("INSERT INTO schema_version (version) VALUES (" + (i + 1) + ")");
                c.commit();
                return;
            } catch (SQLException e) {
                c.rollback();
                if (!postgres || !LOCK_CONFLICTS.contains(e.getSQLState()) || attempt == ATTEMPTS) {
                    throw e;
                }
                LOG.warn("Schema migration {} waited {} for a table other replicas are using; trying again ({} of {})",
                        i + 1, LOCK_TIMEOUT, attempt, ATTEMPTS);
                pause(Duration.ofSeconds(1));
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private static void pause(Duration pause) throws SQLException {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting to migrate the schema", e);
        }
    }
}
