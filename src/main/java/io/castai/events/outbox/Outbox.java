package io.castai.events.outbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.castai.events.intake.NotificationEvent;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The durable hand-off: every accepted event, and every (event, channel) delivery it leads to,
 * kept in one SQLite file under DATA_DIR (WAL mode: a committed write survives {@code kill -9}).
 * A delivery is pending until its channel accepts it, or dead (kept, with the reason) when it
 * cannot be delivered. A lease stops two workers from sending the same delivery at once.
 * SQLite has one writer: every write goes to one writer thread, which commits whatever has
 * queued up in a single transaction (group commit) before the callers return. Reads use a
 * second connection, which sees every committed write (WAL).
 */
public class Outbox extends ServiceSupport {
    private static final String SCHEMA = """
            CREATE TABLE IF NOT EXISTS events (
                id TEXT PRIMARY KEY,
                body TEXT NOT NULL,
                accepted_at INTEGER NOT NULL,
                dispatched INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS deliveries (
                event_id TEXT NOT NULL,
                channel TEXT NOT NULL,
                message TEXT,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL,
                next_attempt_at INTEGER NOT NULL,
                leased_until INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                last_response TEXT,
                finished_at INTEGER,
                PRIMARY KEY (event_id, channel));
            CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_attempt_at);
            CREATE INDEX IF NOT EXISTS events_undispatched ON events (dispatched);
            """;

    private static final int MAX_BATCH = 1000;

    /** One statement for the writer thread, and the caller waiting for its commit. */
    private record Write(String sql, Object[] args, CompletableFuture<Integer> done) {
    }

    private final Path file;
    private final Clock clock;
    private final Duration lease;
    private final BlockingQueue<Write> writes = new LinkedBlockingQueue<>();
    private final Map<String, PreparedStatement> writeStatements = new HashMap<>();
    private Connection writeConnection;
    private Connection connection;
    private Thread writer;
    private volatile boolean running;

    public Outbox(Path dataDir, Clock clock, Duration lease) {
        this.file = dataDir.resolve("castai-events.db");
        this.clock = clock;
        this.lease = lease;
    }

    @Override
    protected synchronized void doStart() throws Exception {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + file.getParent(), e);
        }
        writeConnection = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = writeConnection.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=NORMAL");
            s.execute("PRAGMA busy_timeout=5000");
            for (String ddl : SCHEMA.split(";")) {
                if (!ddl.isBlank()) {
                    s.execute(ddl);
                }
            }
            // one process owns this file: leases left by a previous run (a crash) are void
            s.executeUpdate("UPDATE deliveries SET leased_until = 0 WHERE status = 'pending'");
        }
        writeConnection.setAutoCommit(false);
        connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA busy_timeout=5000");
        }
        running = true;
        writer = new Thread(this::writeLoop, "outbox-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    protected synchronized void doStop() throws Exception {
        running = false;
        if (writer != null) {
            writer.join(10_000);
            writer = null;
        }
        for (PreparedStatement ps : writeStatements.values()) {
            ps.close();
        }
        writeStatements.clear();
        if (writeConnection != null) {
            writeConnection.close();
            writeConnection = null;
        }
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    /** The writer thread: takes what has queued up, commits it in one transaction, answers each caller. */
    private void writeLoop() {
        List<Write> batch = new ArrayList<>();
        while (running || !writes.isEmpty()) {
            try {
                Write first = writes.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                writes.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Write> batch) {
        int[] counts = new int[batch.size()];
        try {
            for (int i = 0; i < batch.size(); i++) {
                counts[i] = execute(batch.get(i));
            }
            writeConnection.commit();
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).done().complete(counts[i]);
            }
        } catch (SQLException batchFailed) {
            rollbackQuietly();
            // one bad statement must not fail the others: each on its own
            for (Write write : batch) {
                try {
                    int count = execute(write);
                    writeConnection.commit();
                    write.done().complete(count);
                } catch (SQLException e) {
                    rollbackQuietly();
                    write.done().completeExceptionally(e);
                }
            }
        }
    }

    private int execute(Write write) throws SQLException {
        PreparedStatement ps = writeStatements.get(write.sql());
        if (ps == null) {
            ps = writeConnection.prepareStatement(write.sql());
            writeStatements.put(write.sql(), ps);
        }
        bind(ps, write.args());
        return ps.executeUpdate();
    }

    private void rollbackQuietly() {
        try {
            writeConnection.rollback();
        } catch (SQLException ignored) {
            // the connection reports the original failure
        }
    }

    /** True when an event with this id was accepted at or after {@code since}. */
    public synchronized boolean seenSince(String id, Instant since) {
        return queryLong("SELECT COUNT(*) FROM events WHERE id = ? AND accepted_at >= ?", id, since.toEpochMilli()) > 0;
    }

    /** Ids of the events accepted at or after {@code since}, newest first, at most {@code limit}. */
    public synchronized List<String> idsSince(Instant since, long limit) {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT id FROM events WHERE accepted_at >= ? ORDER BY accepted_at DESC LIMIT ?")) {
            ps.setLong(1, since.toEpochMilli());
            ps.setLong(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new OutboxException("cannot read recent event ids", e);
        }
        return ids;
    }

    /** Keeps an accepted event; returns once it is written. */
    public void store(NotificationEvent event) {
        update("INSERT INTO events (id, body, accepted_at, dispatched) VALUES (?, ?, ?, 0) "
                        + "ON CONFLICT (id) DO UPDATE SET body = excluded.body, accepted_at = excluded.accepted_at, dispatched = 0",
                event.getId(), EventCodec.toJson(event), now());
    }

    public void markDispatched(String eventId) {
        update("UPDATE events SET dispatched = 1 WHERE id = ?", eventId);
    }

    /** Events accepted before {@code acceptedBefore} but not yet routed (the process stopped, or the queue was full). */
    public synchronized List<NotificationEvent> undispatched(Instant acceptedBefore, int limit) {
        List<NotificationEvent> events = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT body FROM events WHERE dispatched = 0 AND accepted_at < ? ORDER BY accepted_at LIMIT ?")) {
            ps.setLong(1, acceptedBefore.toEpochMilli());
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events.add(EventCodec.fromJson(rs.getString(1)));
                }
            }
        } catch (SQLException e) {
            throw new OutboxException("cannot read undispatched events", e);
        }
        return events;
    }

    /**
     * Records a pending delivery, leased to the caller who sends it right away. False when this
     * (event, channel) is already known: it was, or is being, delivered.
     */
    public boolean enqueue(String eventId, String channel, String message) {
        long now = now();
        return update("INSERT INTO deliveries (event_id, channel, message, status, attempts, created_at, "
                        + "next_attempt_at, leased_until) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?) ON CONFLICT DO NOTHING",
                eventId, channel, message, now, now, now + lease.toMillis()) > 0;
    }

    /** Pending deliveries whose time has come and that nobody holds, leased to the caller. */
    public List<Delivery> claimDue(int limit) {
        long now = now();
        List<Delivery> due = new ArrayList<>();
        synchronized (this) {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT d.event_id, d.channel, d.message, d.attempts, d.created_at, e.body FROM deliveries d "
                            + "JOIN events e ON e.id = d.event_id WHERE d.status = 'pending' AND d.next_attempt_at <= ? "
                            + "AND d.leased_until <= ? ORDER BY d.next_attempt_at LIMIT ?")) {
                select.setLong(1, now);
                select.setLong(2, now);
                select.setInt(3, limit);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        due.add(new Delivery(EventCodec.fromJson(rs.getString(6)), rs.getString(2), rs.getString(3),
                                rs.getInt(4), Instant.ofEpochMilli(rs.getLong(5))));
                    }
                }
            } catch (SQLException e) {
                throw new OutboxException("cannot claim due deliveries", e);
            }
        }
        // the lease is taken only where nobody took it since the read
        List<CompletableFuture<Integer>> claims = new ArrayList<>();
        for (Delivery d : due) {
            claims.add(submit("UPDATE deliveries SET leased_until = ? WHERE event_id = ? AND channel = ? "
                    + "AND status = 'pending' AND leased_until <= ?", now + lease.toMillis(), d.event().getId(), d.channel(), now));
        }
        List<Delivery> claimed = new ArrayList<>();
        for (int i = 0; i < due.size(); i++) {
            if (await(claims.get(i)) > 0) {
                claimed.add(due.get(i));
            }
        }
        return claimed;
    }

    /** The attempts made so far and when the delivery was first queued; null when unknown. */
    public synchronized Delivery find(String eventId, String channel) {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT d.message, d.attempts, d.created_at, e.body FROM deliveries d JOIN events e ON e.id = d.event_id "
                        + "WHERE d.event_id = ? AND d.channel = ?")) {
            ps.setString(1, eventId);
            ps.setString(2, channel);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Delivery(EventCodec.fromJson(rs.getString(4)), channel, rs.getString(1),
                        rs.getInt(2), Instant.ofEpochMilli(rs.getLong(3))) : null;
            }
        } catch (SQLException e) {
            throw new OutboxException("cannot read delivery", e);
        }
    }

    /** Lets go of a lease: the delivery could not be handed to its channel's workers just now. */
    public void release(String eventId, String channel) {
        update("UPDATE deliveries SET leased_until = 0 WHERE event_id = ? AND channel = ?", eventId, channel);
    }

    public void delivered(String eventId, String channel) {
        update("UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, finished_at = ?, leased_until = 0 "
                + "WHERE event_id = ? AND channel = ?", now(), eventId, channel);
    }

    /** Moves a delivery's next attempt later without counting an attempt (its channel is paused). */
    public void postpone(String eventId, String channel, Duration wait) {
        update("UPDATE deliveries SET next_attempt_at = ?, leased_until = 0 WHERE event_id = ? AND channel = ?",
                now() + wait.toMillis(), eventId, channel);
    }

    public void retryLater(String eventId, String channel, Duration wait, String error, String response) {
        long now = now();
        update("UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?, leased_until = 0, last_error = ?, "
                + "last_response = ? WHERE event_id = ? AND channel = ?", now + wait.toMillis(), error, response, eventId, channel);
    }

    public void dead(String eventId, String channel, String error, String response) {
        update("UPDATE deliveries SET status = 'dead', attempts = attempts + 1, finished_at = ?, leased_until = 0, "
                + "last_error = ?, last_response = ? WHERE event_id = ? AND channel = ?", now(), error, response, eventId, channel);
    }

    public synchronized List<DeadLetter> deadLetters(int limit) {
        List<DeadLetter> dead = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT d.event_id, d.channel, e.body, d.attempts, d.last_error, d.last_response, d.created_at, d.finished_at "
                        + "FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.status = 'dead' "
                        + "ORDER BY d.finished_at LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    NotificationEvent event = EventCodec.fromJson(rs.getString(3));
                    dead.add(new DeadLetter(rs.getString(1), rs.getString(2), event.getType(),
                            event.getClusterName() != null ? event.getClusterName() : event.getClusterId(),
                            event.getSummary(), rs.getInt(4), rs.getString(5), rs.getString(6),
                            Instant.ofEpochMilli(rs.getLong(7)).toString(), Instant.ofEpochMilli(rs.getLong(8)).toString()));
                }
            }
        } catch (SQLException e) {
            throw new OutboxException("cannot list dead letters", e);
        }
        return dead;
    }

    /** Puts dead deliveries back in the queue (all, or one event's, or one delivery); returns how many. */
    public int replay(String eventId, String channel) {
        long now = now();
        return update("UPDATE deliveries SET status = 'pending', attempts = 0, created_at = ?, next_attempt_at = ?, "
                        + "leased_until = 0, finished_at = NULL WHERE status = 'dead' AND (? IS NULL OR event_id = ?) "
                        + "AND (? IS NULL OR channel = ?)", now, now, eventId, eventId, channel, channel);
    }

    public synchronized OutboxStats stats() {
        long now = now();
        long pending = queryLong("SELECT COUNT(*) FROM deliveries WHERE status = 'pending'");
        long oldest = queryLong("SELECT COALESCE(MIN(created_at), 0) FROM deliveries WHERE status = 'pending'");
        long dead = queryLong("SELECT COUNT(*) FROM deliveries WHERE status = 'dead'");
        long undispatched = queryLong("SELECT COUNT(*) FROM events WHERE dispatched = 0");
        return new OutboxStats(pending, oldest == 0 ? 0 : Math.max(0, (now - oldest) / 1000), dead, undispatched);
    }

    /**
     * Forgets what no longer matters: finished deliveries, and events past the dedup window with
     * nothing pending or dead. Dead letters stay until replayed.
     */
    public int forgetBefore(Instant cutoff) {
        long before = cutoff.toEpochMilli();
        update("DELETE FROM deliveries WHERE status = 'delivered' AND finished_at < ?", before);
        return update("DELETE FROM events WHERE accepted_at < ? AND dispatched = 1 AND NOT EXISTS "
                + "(SELECT 1 FROM deliveries d WHERE d.event_id = events.id)", before);
    }

    private long now() {
        return clock.millis();
    }

    /** Runs a write on the writer thread and returns once it is committed. */
    private int update(String sql, Object... args) {
        return await(submit(sql, args));
    }

    private CompletableFuture<Integer> submit(String sql, Object... args) {
        if (!running) {
            throw new OutboxException("the outbox is closed", null);
        }
        CompletableFuture<Integer> done = new CompletableFuture<>();
        writes.add(new Write(sql, args, done));
        return done;
    }

    private int await(CompletableFuture<Integer> done) {
        try {
            return done.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new OutboxException("cannot write to the outbox (" + file.getFileName() + ")", e.getCause());
        } catch (TimeoutException e) {
            throw new OutboxException("the outbox did not commit within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutboxException("interrupted while writing to the outbox", e);
        }
    }

    private long queryLong(String sql, Object... args) {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw new OutboxException("cannot read the outbox", e);
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }
}
