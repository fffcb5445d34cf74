package io.castai.events.outbox;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The outbox's tables, created or brought up to date at start-up. Each migration runs once, in
 * order, recorded in {@code schema_version}; the SQL is what SQLite and PostgreSQL both speak.
 * On PostgreSQL replicas starting together take turns (an advisory lock), so one migrates.
 */
final class StoreSchema {
    /** Any number, the same in every replica: names the advisory lock that serialises migrations. */
    private static final long MIGRATION_LOCK = 0x6361737461694cL;

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
            """);

    private StoreSchema() {
    }

    static void migrate(Connection c, boolean postgres) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            if (postgres) {
                s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
            }
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
            int version;
            try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
                rs.next();
                version = rs.getInt(1);
            }
            for (int i = version; i < MIGRATIONS.size(); i++) {
                for (String ddl : MIGRATIONS.get(i).split(";")) {
                    if (!ddl.isBlank()) {
                        s.execute(ddl);
                    }
                }
                s.executeUpdate("INSERT INTO schema_version (version) VALUES (" + (i + 1) + ")");
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }
}
