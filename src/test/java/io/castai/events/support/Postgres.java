package io.castai.events.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL these machines run on 127.0.0.1:5432 (trust auth), for the shared-store tests:
 * each test gets a database of its own, dropped afterwards. Where no server runs, the tests that
 * need one are skipped with a message that says so, not failed.
 */
public final class Postgres implements AutoCloseable {
    public static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    public static final String USER = "postgres";

    private final String database;

    private Postgres(String database) {
        this.database = database;
    }

    /** A new, empty database; skips the calling test when no PostgreSQL answers. */
    public static Postgres freshDatabase() {
        Assumptions.assumeTrue(reachable(), "PostgreSQL is not running on 127.0.0.1:5432 (user postgres, trust): "
                + "start it with 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' (.ci/run does)");
        String name = "castai_events_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        admin("CREATE DATABASE " + name);
        return new Postgres(name);
    }

    public String url() {
        return SERVER + database;
    }

    @Override
    public void close() {
        admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    private static boolean reachable() {
        try (Connection ignored = DriverManager.getConnection(SERVER + "test", USER, "")) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private static void admin(String sql) {
        try (Connection c = DriverManager.getConnection(SERVER + "test", USER, "");
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
