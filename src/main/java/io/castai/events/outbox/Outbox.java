package io.castai.events.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiFunction;

import io.castai.events.channels.ConfigurationException;
import io.castai.events.channels.EventOrder;
import io.castai.events.channels.IncidentHistory;
import io.castai.events.intake.NotificationEvent;
import io.castai.events.ops.Causes;
import io.castai.events.security.LogRedaction;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable hand-off: every accepted event, and every (event, channel) delivery it leads to,
 * kept in the {@link Store} (a SQLite file under DATA_DIR in WAL mode, or PostgreSQL shared by
 * the replicas): a committed write survives {@code kill -9}. A delivery is pending until its
 * channel accepts it, or dead (kept, with the reason) when it cannot be delivered. A lease stops
 * two workers (of one replica or of several) from sending the same delivery at once. Every write
 * goes through the {@link StoreWriter} (group commit); reads take their own pooled connection.
 */
public class Outbox extends ServiceSupport implements IncidentHistory.Store {
    /** Dead letters of an event and a channel, each bound twice (null: any). */
    private static final String DEAD_LETTERS_OF =
            "status = 'dead' AND (CAST(? AS TEXT) IS NULL OR event_id = ?) AND (CAST(? AS TEXT) IS NULL OR channel = ?)";
    /** Deliveries claimed at once, at most: two parameters each, under PostgreSQL's 65,535. */
    private static final int MAX_CLAIM = 10_000;
    /** Lease rows naming the channels a replica serves: serves/&lt;channel&gt;/&lt;replica&gt;. */
    private static final String SERVES = "serves/";
    /**
     * Back in the queue, due now (created_at and next_attempt_at), as new: a dead letter's old
     * failure would read as this attempt's.
     */
    private static final String REQUEUED = "status = 'pending', attempts = 0, created_at = ?, next_attempt_at = ?, "
            + "leased_until = 0, finished_at = NULL, last_error = NULL, last_response = NULL";
    /** Rendered for a channel type (null: any), where unknown taking the one given after it for it. */
    private static final String RENDERED_FOR = " AND (CAST(? AS TEXT) IS NULL OR COALESCE(rendered_for, ?) = ?)";
    /** Lets go of a delivery's lease, if it is still the one given. */
    private static final String RELEASE = "UPDATE deliveries SET leased_until = 0 WHERE event_id = ? AND channel = ? "
            + "AND status = 'pending' AND leased_until = ?";
    private static final String RECORD = "INSERT INTO deliveries (event_id, channel, message, rendered_for, status, "
            + "attempts, created_at, next_attempt_at, leased_until) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?) ";
    /**
     * When an incident's kept event happened, or NULL: none was kept, or an older build wrote the
     * row, or moved its resolved_by on (happened_for then names another event's).
     */
    private static final String HAPPENED = "CASE WHEN resolved_incidents.happened_for = resolved_incidents.resolved_by "
            + "THEN resolved_incidents.happened_at END";
    private static final String RECORD_ROUTED_LATE = RECORD + "ON CONFLICT DO NOTHING";
    private static final String RECORD_ACCEPTED = RECORD + "ON CONFLICT (event_id, channel) DO UPDATE SET "
            + "message = excluded.message, rendered_for = excluded.rendered_for, status = 'pending', attempts = 0, created_at = excluded.created_at, "
            + "next_attempt_at = excluded.next_attempt_at, leased_until = excluded.leased_until, last_error = NULL, "
            + "last_response = NULL, finished_at = NULL WHERE deliveries.status IN ('delivered', 'dead')";
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    /** The longest event body a dead-letter list reads with its page (see {@link #deadLetters}). */
    private static final int LISTED_BODY = 16_384;
    /** What a lease's statement gives when another session holds its row locked. */
    private static final int LOCKED_ELSEWHERE = -1;

    private final Store store;
    private final Clock clock;
    private final Duration lease;
    private final Duration dedupWindow;
    private final StoreWriter writer;
    /** Delivery records the store missed (it was away), written again before the next claim. */
    private final Queue<Accepted> unrecorded = new ConcurrentLinkedQueue<>();
    /**
     * Leases an accept or a route may have taken although its caller heard it fail (its commit
     * timed out, or was cut off by a connection lost while it was made): the event may be stored
     * all the same, its sender answered 503 and its retry a duplicate, and nobody hands its
     * deliveries to their channels; let go before the next claim, they are due at once, not when
     * the lease runs out (2 min later). Where nothing was stored, nothing matches.
     */
    private final Queue<HeldLease> unconfirmed = new ConcurrentLinkedQueue<>();

    public Outbox(Store store, Clock clock, Duration lease, Duration dedupWindow) {
        this.store = store;
        this.clock = clock;
        this.lease = lease;
        this.dedupWindow = dedupWindow;
        this.writer = new StoreWriter(store);
    }

    @Override
    protected synchronized void doStart() throws Exception {
        store.own();
        try (Connection c = store.dataSource().getConnection()) {
            StoreSchema.migrate(c, store.shared());
            if (!store.shared()) {
                try (Statement s = c.createStatement()) {
                    // one process owns this file: leases left by a previous run (a crash) are void
                    s.executeUpdate("UPDATE deliveries SET leased_until = 0 WHERE status = 'pending'");
                }
            }
        } catch (SQLException e) {
            if (store.shared() && unreachable(e)) {
                // one line naming the setting, not Camel's wrapping of a driver's stack trace
                String why = String.valueOf(Causes.innermost(e).getMessage()).lines().findFirst().orElse("");
                String state = sqlState(e);
                if (state.startsWith("28") || "3D000".equals(state)) {
                    // the server answered: a restart alone will not help
                    throw ConfigurationException.inSetting("castai.store.url", ("3D000".equals(state)
                            ? "the database server has no such database (" : "the database server refused the login (")
                            + why + "); check CASTAI_STORE_URL, CASTAI_STORE_USERNAME and CASTAI_STORE_PASSWORD");
                }
                throw ConfigurationException.inSetting("castai.store.url", "the database cannot be reached ("
                        + why + "); start-up stops (Kubernetes restarts the pod)");
            }
            // the cause in the line itself (a full disk, a file that is no database), not only in the trace
            String cause = String.valueOf(Causes.innermost(e).getMessage()).lines().findFirst().orElse("");
            throw new OutboxException("cannot open the outbox (" + store.description() + "): " + LogRedaction.redact(cause), e);
        }
        LOG.info(store.shared() ? "Outbox in {}, shared by every replica" : "Outbox in {} (one instance)",
                store.description());
        writer.start();
    }

    /** The SQL state of the first failure in the chain that has one (28000: a login refused), or "". */
    private static String sqlState(SQLException e) {
        for (Throwable cause : Causes.chain(e)) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return "";
    }

    /** No connection at all: the pool gave up waiting for one, or the driver could not open one (SQL state class 08). */
    private static boolean unreachable(SQLException e) {
        for (Throwable cause : Causes.chain(e)) {
            if (cause instanceof SQLTransientConnectionException
                    || cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected synchronized void doStop() throws Exception {
        try {
            recordMissed();
        } catch (OutboxException stillAway) {
            // said below, with any that fail while the writer drains
        }
        writer.stop();
        if (!unrecorded.isEmpty()) {
            LOG.warn("{} delivery record(s) could not be written before stopping: those deliveries are sent "
                    + "again when their leases run out", unrecorded.size());
        }
        store.close();
    }

    /** When the event with this id was accepted, if the outbox holds it. */
    public Optional<Instant> acceptedAt(String id) {
        long at = queryLong("SELECT COALESCE(MAX(accepted_at), 0) FROM events WHERE id = ?", id);
        return at == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(at));
    }

    /** Which of these ids the store holds an event for, in one query. */
    public Set<String> stored(Collection<String> ids) {
        Set<String> stored = new HashSet<>();
        if (ids.isEmpty()) {
            return stored;
        }
        String marks = String.join(", ", Collections.nCopies(ids.size(), "?"));
        stored.addAll(read("cannot read the outbox", "SELECT id FROM events WHERE id IN (" + marks + ")",
                rs -> rs.getString(1), ids.toArray()));
        return stored;
    }

    /** Ids of the events accepted at or after {@code since}, with when, newest first, at most {@code limit}. */
    public Map<String, Instant> acceptedSince(Instant since, long limit) {
        Map<String, Instant> ids = new LinkedHashMap<>();
        read("cannot read recent event ids",
                "SELECT id, accepted_at FROM events WHERE accepted_at >= ? ORDER BY accepted_at DESC LIMIT ?",
                rs -> Map.entry(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))), since.toEpochMilli(), limit)
                .forEach(row -> ids.put(row.getKey(), row.getValue()));
        return ids;
    }

    /**
     * Keeps an accepted event together with the deliveries routing gave it, in one commit, and
     * returns once it is written: the deliveries recorded now, each leased to the caller, who hands
     * them to their channels at once. Null when an event with this id was already accepted within
     * the dedup window (by this replica before a restart, or by another replica sharing the store):
     * a duplicate, and nothing is written. The database decides, so two replicas given the same
     * event at the same moment accept it once. Log-channel messages are not recorded.
     */
    public List<ChannelMessage> accept(NotificationEvent event, List<ChannelMessage> messages) {
        return accept(event, messages, Collections.emptySet());
    }

    /**
     * As {@link #accept(NotificationEvent, List)}; the deliveries to the channels in {@code later}
     * (whose workers have no room just now) are recorded unleased and not returned: the retry
     * timer hands them over when there is room.
     */
    public List<ChannelMessage> accept(NotificationEvent event, List<ChannelMessage> messages, Set<String> later) {
        long now = now();
        String body = EventCodec.toJson(event);
        return leasing(event.getId(), messages, later, now, writer.submit(event.getId(), db -> {
            int stored = db.update("INSERT INTO events (id, body, accepted_at, dispatched) VALUES (?, ?, ?, 1) "
                            + "ON CONFLICT (id) DO UPDATE SET body = excluded.body, accepted_at = excluded.accepted_at, "
                            + "dispatched = 1 WHERE events.accepted_at < ?",
                    event.getId(), body, now, now - dedupWindow.toMillis());
            if (stored == 0) {
                letGoOfOwnLeases(db, event.getId(), now);
                return null;
            }
            return recordDeliveries(db, event.getId(), messages, later, now, true);
        }));
    }

    /**
     * Inside a unit run again after its batch's commit failed, that found the event's rows there
     * already: the failed commit may have made them, leased to this caller, who is now answered
     * as for a duplicate and hands nothing over; they are let go, due at once, not when the lease
     * runs out. Rows another caller leased carry another time, and are left alone.
     */
    private void letGoOfOwnLeases(StoreWriter.Statements db, String eventId, long now) throws SQLException {
        if (db.mayHaveBeenCommitted()) {
            db.update("UPDATE deliveries SET leased_until = 0 WHERE event_id = ? AND status = 'pending' AND leased_until = ?",
                    eventId, leaseFrom(now));
        }
    }

    /**
     * Awaits a unit that records deliveries leased to the caller; should the caller hear it fail,
     * the leases it may have taken all the same are let go later ({@link #unconfirmed}).
     */
    private List<ChannelMessage> leasing(String eventId, List<ChannelMessage> messages, Set<String> later, long now,
                                         CompletableFuture<List<ChannelMessage>> unit) {
        try {
            return writer.await(unit);
        } catch (OutboxException unknownOutcome) {
            for (ChannelMessage message : messages) {
                if (message.channel() != null && !message.log() && !later.contains(message.channel())) {
                    unconfirmed.add(new HeldLease(eventId, message.channel(), leaseFrom(now)));
                }
            }
            throw unknownOutcome;
        }
    }

    /**
     * Records the deliveries of an event that was stored but never routed (kept by an earlier
     * version that routed after storing) and marks it routed, in one commit; returns the deliveries
     * that are new, leased to the caller. A delivery already recorded is not recorded again.
     */
    public List<ChannelMessage> route(String eventId, List<ChannelMessage> messages) {
        return route(eventId, messages, Collections.emptySet());
    }

    /** As {@link #route(String, List)}, with {@code later} as in {@link #accept(NotificationEvent, List, Set)}. */
    public List<ChannelMessage> route(String eventId, List<ChannelMessage> messages, Set<String> later) {
        long now = now();
        return leasing(eventId, messages, later, now, writer.submit(eventId, db -> {
            List<ChannelMessage> recorded = recordDeliveries(db, eventId, messages, later, now, false);
            if (recorded.isEmpty()) {
                letGoOfOwnLeases(db, eventId, now);
            }
            db.update("UPDATE events SET dispatched = 1 WHERE id = ?", eventId);
            return recorded;
        }));
    }

    /**
     * Inside a writer unit: inserts each delivery not yet known; returns those recorded with a
     * lease (not those for the channels in {@code later}). For a
     * newly accepted event ({@code accepted}) a delivery row finished for an earlier event with
     * the same id (accepted again after the dedup window), delivered or dead, starts over with the
     * new message: the new event is not left without its notification (a dead letter of the
     * earlier one gives way to it, as a replay would resend it); for an event routed late, a row
     * already there means it was, or is being, delivered.
     */
    private List<ChannelMessage> recordDeliveries(StoreWriter.Statements db, String eventId, List<ChannelMessage> messages,
                                                  Set<String> later, long now, boolean accepted) throws SQLException {
        List<ChannelMessage> recorded = new ArrayList<>(messages.size());
        for (ChannelMessage message : messages) {
            long leasedUntil = later.contains(message.channel()) ? 0 : leaseFrom(now);
            if (!message.log() && db.update(accepted ? RECORD_ACCEPTED : RECORD_ROUTED_LATE,
                    eventId, message.channel(), message.text(), message.type(), now, now, leasedUntil) > 0 && leasedUntil > 0) {
                recorded.add(message.leased(leasedUntil));
            }
        }
        return recorded;
    }

    /** Events accepted before {@code acceptedBefore} but not yet routed: stored by an earlier version, which routed after storing. */
    public List<NotificationEvent> undispatched(Instant acceptedBefore, int limit) {
        return read("cannot read undispatched events",
                "SELECT body FROM events WHERE dispatched = 0 AND accepted_at < ? ORDER BY accepted_at LIMIT ?",
                rs -> EventCodec.fromJson(rs.getString(1)), acceptedBefore.toEpochMilli(), limit);
    }

    /** Pending deliveries whose time has come and that nobody holds, leased to the caller. */
    public List<Delivery> claimDue(int limit) {
        return claimDueExcept(List.of(), limit);
    }

    /** As {@link #claimDue(int)}, for one channel. */
    public List<Delivery> claimDue(String channel, int limit) {
        return claimDue(channel, limit, Long.MAX_VALUE, true);
    }

    /**
     * As {@link #claimDue(String, int)}, no more than {@code maxChars} of text (messages and
     * their events; what is claimed is read into memory), though one longer when {@code oneAnyway}.
     */
    public List<Delivery> claimDue(String channel, int limit, long maxChars, boolean oneAnyway) {
        return claim("AND d.channel = ?", List.of(channel), Duration.ZERO, limit, maxChars, oneAnyway);
    }

    /** As {@link #claimDue(int)}, for every channel but these. */
    public List<Delivery> claimDueExcept(Collection<String> channels, int limit) {
        return claimOverdueExcept(channels, Duration.ZERO, limit, Long.MAX_VALUE);
    }

    /**
     * As {@link #claimDueExcept}, only deliveries that have been due for at least {@code overdue},
     * of channels no replica serves ({@link #serveChannels}): removed from channels.yaml. A channel
     * another replica serves can keep due deliveries waiting long (a 429's pause, a backlog at
     * the channel's pace); they are not this replica's to judge. No more than {@code maxChars} of
     * text, as {@link #claimDue(String, int, long)}.
     */
    public List<Delivery> claimOverdueExcept(Collection<String> channels, Duration overdue, int limit, long maxChars) {
        List<Object> args = new ArrayList<>(channels);
        args.add(now());
        return claim((channels.isEmpty() ? "" : "AND d.channel NOT IN (" + String.join(", ", Collections.nCopies(channels.size(), "?")) + ") ")
                + "AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.name LIKE ('" + SERVES + "' || d.channel || '/%') AND l.expires_at > ?)",
                args, overdue, limit, maxChars, true);
    }

    /**
     * This replica ({@code replica}, an id of its own) serves these channels for {@code ttl} from
     * now: rows {@code serves/<channel>/<replica>} of table leases, which no replica's orphan sweep
     * claims deliveries of. Those run out (replicas gone without a stop) are deleted here: every
     * start adds rows of its own, and the sweep reads them for each overdue delivery.
     */
    public void serveChannels(String replica, Collection<String> channels, Duration ttl) {
        long now = now();
        writer.await(writer.submit(db -> {
            for (String channel : channels) {
                db.update("INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE "
                        + "SET expires_at = excluded.expires_at", SERVES + channel + "/" + replica, replica, now + ttl.toMillis());
            }
            return db.update("DELETE FROM leases WHERE name LIKE '" + SERVES + "%' AND expires_at <= ?", now);
        }));
    }

    /** On stop: this replica serves no channel any more (its rows would otherwise hold for their ttl). */
    public void stopServing(String replica) {
        writer.await(writer.submit(db -> db.update("DELETE FROM leases WHERE name LIKE '" + SERVES + "%' AND owner = ?", replica)));
    }

    private List<Delivery> claim(String channelCondition, List<?> conditionArgs, Duration overdue, int limit, long maxChars,
                                 boolean oneAnyway) {
        recordMissed();
        long now = now();
        long leasedUntil = leaseFrom(now);
        String due = "FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.status = 'pending' " + channelCondition
                + " AND d.next_attempt_at <= ? AND d.leased_until <= ?";
        List<Object> args = new ArrayList<>(conditionArgs);
        args.addAll(List.of(now - overdue.toMillis(), now));
        // first their lengths alone: only what fits is read whole (a restart with a backlog of
        // large events pending filled the heap with them). On PostgreSQL, rows another session
        // holds locked (a replica cut off mid-claim, until the server ends its transaction) are
        // not counted: as many as the limit, the oldest due, left nothing to claim on every tick
        // of every replica (the locks go with this statement; the lease below checks again)
        args.add(Math.min(limit, MAX_CLAIM));
        List<Object> keys = new ArrayList<>();
        long chars = 0;
        for (Object[] sized : read("cannot claim due deliveries", "SELECT d.event_id, d.channel, LENGTH(d.message) + LENGTH(e.body) "
                + due + " ORDER BY d.next_attempt_at LIMIT ?" + (store.shared() ? " FOR UPDATE OF d SKIP LOCKED" : ""),
                rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)}, args.toArray())) {
            long size = (Long) sized[2];
            if (chars + size > maxChars && !(keys.isEmpty() && oneAnyway)) {
                continue; // those behind it that fit: one too long waits for an empty queue, not the others
            }
            chars += size;
            keys.add(sized[0]);
            keys.add(sized[1]);
        }
        if (keys.isEmpty()) {
            return List.of();
        }
        // by their keys alone (the primary key's index): with the due conditions again, SQLite
        // walked the channel's whole due backlog, 30-60 ms a tick at 200,000; the lease below checks them
        List<Unreadable> unreadable = new ArrayList<>();
        List<Delivery> read = new ArrayList<>(read("cannot claim due deliveries",
                "SELECT d.event_id, d.channel, d.message, d.attempts, d.created_at, e.body, e.accepted_at, d.rendered_for "
                        + "FROM deliveries d JOIN events e ON e.id = d.event_id WHERE (d.event_id, d.channel) IN (VALUES "
                        + String.join(", ", Collections.nCopies(keys.size() / 2, "(?, ?)")) + ") ORDER BY d.next_attempt_at",
                rs -> {
                    try {
                        return new Delivery(EventCodec.fromJson(rs.getString(6)), rs.getString(2), rs.getString(3), rs.getString(8),
                                rs.getInt(4), Instant.ofEpochMilli(rs.getLong(5)), Instant.ofEpochMilli(rs.getLong(7)), leasedUntil);
                    } catch (RuntimeException e) {
                        unreadable.add(new Unreadable(rs.getString(1), rs.getString(2), String.valueOf(e.getMessage())));
                        return null;
                    }
                },
                keys.toArray()));
        read.removeIf(Objects::isNull);
        unreadable.forEach(this::giveUpUnreadable);
        return lease(read, leasedUntil, now, now - overdue.toMillis());
    }

    /** A delivery whose stored event the claim could not read, and why. */
    private record Unreadable(String eventId, String channel, String failure) {
    }

    /**
     * A delivery whose stored event cannot be read (an edit by hand, a damaged store) could never
     * be sent; left pending, it would be the channel's oldest due delivery and fail every claim.
     */
    private void giveUpUnreadable(Unreadable delivery) {
        String why = "its stored event cannot be read: " + delivery.failure().lines().findFirst().orElse("");
        if (giveUp(delivery.eventId(), delivery.channel(), "unreadable", why.length() > 300 ? why.substring(0, 300) + "..." : why)) {
            LOG.error("{} delivery of event {} cannot be made: {}; kept as a dead letter", delivery.channel(), delivery.eventId(), why);
        }
    }

    /**
     * Those of the deliveries read whose lease this takes: only where nobody took it since the
     * read, and where they are still due by {@code dueBy} (epoch ms): another replica may have
     * tried one meanwhile and put it back for later (a backoff, a 429's pause), and it would be
     * sent before its time. On PostgreSQL a row another session holds locked (a replica cut off
     * mid-write, until the server ends its transaction) is passed over, not waited for: waiting,
     * each tick of every replica stalled its writer for lock_timeout, then failed the whole claim,
     * and the channel got nothing while the lock lasted. A lease that fails is not taken, and the
     * others are still handed over (the claim fails only when none could be taken).
     */
    List<Delivery> lease(List<Delivery> read, long leasedUntil, long now, long dueBy) {
        String take = store.shared()
                ? "UPDATE deliveries SET leased_until = ? WHERE (event_id, channel) = (SELECT event_id, channel FROM deliveries "
                        + "WHERE event_id = ? AND channel = ? AND status = 'pending' AND next_attempt_at <= ? AND leased_until <= ? "
                        + "FOR UPDATE SKIP LOCKED)"
                : "UPDATE deliveries SET leased_until = ? WHERE event_id = ? AND channel = ? "
                        + "AND status = 'pending' AND next_attempt_at <= ? AND leased_until <= ?";
        List<CompletableFuture<Integer>> claims = new ArrayList<>();
        for (Delivery d : read) {
            claims.add(writer.submit(d.event().getId(), db -> db.update(take, leasedUntil, d.event().getId(), d.channel(),
                    dueBy, now)));
        }
        List<Delivery> claimed = new ArrayList<>();
        OutboxException failed = null;
        int failures = 0;
        for (int i = 0; i < read.size(); i++) {
            try {
                if (writer.await(claims.get(i)) > 0) {
                    claimed.add(read.get(i));
                }
            } catch (OutboxException e) {
                failed = failed == null ? e : failed;
                failures++;
            }
        }
        if (claimed.isEmpty() && failed != null) {
            throw failed;
        }
        if (failed != null) {
            LOG.warn("{} of {} due deliveries could not be claimed, and wait for the next try: {}", failures, read.size(),
                    failed.getMessage());
        }
        return claimed;
    }

    /** How far a delivery has come: the attempts made so far, and when it was first queued. */
    public record Progress(int attempts, Instant createdAt) {
    }

    /**
     * The attempts made so far and when the delivery was first queued, as a failed attempt needs
     * them; null when unknown. Neither its message nor its event is read: {@link #find} read both
     * for these two numbers, the text of a 1 MB event read at every failed attempt of each of its
     * channels, about 8 MB of copies and 4 MB of parsing held by the worker while it did.
     */
    public Progress progress(String eventId, String channel) {
        return read("cannot read delivery",
                "SELECT d.attempts, d.created_at FROM deliveries d JOIN events e ON e.id = d.event_id "
                        + "WHERE d.event_id = ? AND d.channel = ?",
                rs -> new Progress(rs.getInt(1), Instant.ofEpochMilli(rs.getLong(2))), eventId, channel)
                .stream().findFirst().orElse(null);
    }

    /** The delivery as stored, its event and message read; null when unknown. */
    public Delivery find(String eventId, String channel) {
        return read("cannot read delivery",
                "SELECT d.message, d.attempts, d.created_at, e.body, e.accepted_at, d.rendered_for FROM deliveries d "
                        + "JOIN events e ON e.id = d.event_id WHERE d.event_id = ? AND d.channel = ?",
                rs -> new Delivery(EventCodec.fromJson(rs.getString(4)), channel, rs.getString(1), rs.getString(6), rs.getInt(2),
                        Instant.ofEpochMilli(rs.getLong(3)), Instant.ofEpochMilli(rs.getLong(5)), 0), eventId, channel).stream().findFirst().orElse(null);
    }

    /**
     * Before a send: whether the lease taken with a delivery ({@code leasedUntil}, epoch ms) still
     * covers it. A delivery can wait in its channel's queue longer than the lease; once the lease
     * has run out, the retry timer (of this replica or another) may have claimed it again, and the
     * copy still queued must not be sent as well. With at least half the lease left the send fits
     * in it (a send ends within the HTTP timeouts); otherwise the lease is renewed, only where
     * nobody took it since. Returns the lease now held (epoch ms), or 0: let the delivery go.
     */
    public long keepLease(String eventId, String channel, long leasedUntil) {
        long now = now();
        if (leasedUntil - now >= lease.toMillis() / 2) {
            return leasedUntil;
        }
        long renewed = leaseFrom(now);
        return writer.updateRowsOf(eventId, "UPDATE deliveries SET leased_until = ? WHERE event_id = ? AND channel = ? "
                + "AND status = 'pending' AND leased_until = ?", renewed, eventId, channel, leasedUntil) > 0 ? renewed : 0;
    }

    /** Lets go of these leases where they are still held (on stop: what waited in the queues). */
    public void letGo(List<HeldLease> held) {
        writer.await(writer.submit(db -> {
            for (HeldLease lease : held) {
                db.update("UPDATE deliveries SET leased_until = 0 WHERE event_id = ? AND channel = ? AND status = 'pending' "
                        + "AND leased_until = ?", lease.eventId(), lease.channel(), lease.leasedUntil());
            }
            return held.size();
        }));
    }

    /**
     * Lets go of a lease ({@code leasedUntil}, epoch ms) where it is still held: the delivery could
     * not be handed to its channel's workers just now. A lease claimed by another since stays theirs.
     */
    public void release(String eventId, String channel, long leasedUntil) {
        writer.updateRowsOf(eventId, RELEASE, eventId, channel, leasedUntil);
    }

    /**
     * Records a delivery its channel accepted. Not waited for, so a channel's workers go on
     * sending. Should the write fail (the store away), the record is kept in memory and written
     * before this replica's next claim ({@link #recordMissed}), well within the lease, so the
     * delivery is not claimed and sent again; only a crash before that loses it (the delivery is
     * then sent again when its lease runs out, as after any crash between a send and its record).
     */
    public void delivered(String eventId, String channel) {
        Accepted accepted = new Accepted(eventId, channel, now());
        try {
            writer.submit(eventId, db -> accepted.record(db)).whenComplete((count, failure) -> {
                if (failure != null) {
                    missed(List.of(accepted), failure);
                }
            });
        } catch (OutboxException closed) {
            LOG.warn("Could not record the delivery of event {} to {}: the outbox is closed; it is sent again "
                    + "when its lease runs out", eventId, channel);
        }
    }

    /** A delivery its channel accepted, and when. */
    private record Accepted(String eventId, String channel, long at) {
        int record(StoreWriter.Statements db) throws SQLException {
            return db.update("UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, finished_at = ?, "
                    + "leased_until = 0 WHERE event_id = ? AND channel = ?", at, eventId, channel);
        }
    }

    private void missed(List<Accepted> records, Throwable failure) {
        boolean first = unrecorded.isEmpty();
        unrecorded.addAll(records);
        if (first) {
            String reason = failure.getMessage() == null ? failure.getClass().getSimpleName()
                    : failure.getMessage().lines().findFirst().orElse("");
            LOG.warn("Could not record the delivery of event {} to {} in the store ({}); kept in memory with any "
                    + "others until the store answers again", records.get(0).eventId(), records.get(0).channel(), reason);
        }
    }

    /**
     * Writes the delivery records the store missed, before anything is claimed: what this replica
     * has delivered is never claimed again; and lets go of the {@link #unconfirmed} leases, so the
     * claim finds those deliveries due. Throws while the store is still away (the claim would fail
     * as well).
     */
    private void recordMissed() {
        if (unrecorded.isEmpty() && unconfirmed.isEmpty()) {
            return;
        }
        List<Accepted> records = new ArrayList<>();
        for (Accepted next; (next = unrecorded.poll()) != null; ) {
            records.add(next);
        }
        List<HeldLease> leases = new ArrayList<>();
        for (HeldLease next; (next = unconfirmed.poll()) != null; ) {
            leases.add(next);
        }
        int released;
        try {
            released = writer.await(writer.submit(db -> {
                for (Accepted accepted : records) {
                    accepted.record(db);
                }
                int letGo = 0;
                for (HeldLease held : leases) {
                    letGo += db.update(RELEASE, held.eventId(), held.channel(), held.leasedUntil());
                }
                return letGo;
            }));
        } catch (OutboxException stillAway) {
            unrecorded.addAll(records);
            unconfirmed.addAll(leases);
            throw stillAway;
        }
        if (!records.isEmpty()) {
            LOG.info("Recorded {} deliveries the store had missed", records.size());
        }
        if (released > 0) {
            LOG.info("{} deliveries of events whose storing was not confirmed to their senders (answered 503) were stored "
                    + "after all: due now, not when their leases run out", released);
        }
    }

    /*
     * A failed attempt changes a delivery only while it is pending, and only while the lease it
     * was sent under ({@code leasedUntil}, epoch ms) is still the delivery's: should a late failure
     * of one attempt come after another attempt's success, the delivery stays delivered (not a
     * dead letter a replay would send a third time); and should its record come after another
     * replica claimed the delivery (this one's write held up past its lease), it neither clears
     * that replica's lease mid-send (a third claim would send it again) nor decides for it.
     */

    /** Moves a delivery's next attempt later without counting an attempt (its channel is paused). */
    public void postpone(String eventId, String channel, long leasedUntil, Duration wait) {
        writer.updateRowsOf(eventId, "UPDATE deliveries SET next_attempt_at = ?, leased_until = 0 WHERE event_id = ? AND channel = ? "
                + "AND status = 'pending' AND leased_until = ?", now() + wait.toMillis(), eventId, channel, leasedUntil);
    }

    /** Counts a failed attempt and sets the next; false when the delivery is no longer pending under this lease. */
    public boolean retryLater(String eventId, String channel, long leasedUntil, Duration wait, String error, String response) {
        return tryAgainLater(eventId, channel, leasedUntil, wait, error, response, "attempts = attempts + 1, ");
    }

    /** As {@link #retryLater}, for a rate limit's refusal: not counted as an attempt. */
    public boolean retryWhenRateAllows(String eventId, String channel, long leasedUntil, Duration wait, String error,
                                       String response) {
        return tryAgainLater(eventId, channel, leasedUntil, wait, error, response, "");
    }

    private boolean tryAgainLater(String eventId, String channel, long leasedUntil, Duration wait, String error, String response,
                                  String attempts) {
        return writer.updateRowsOf(eventId, "UPDATE deliveries SET " + attempts + "next_attempt_at = ?, leased_until = 0, "
                + "last_error = ?, last_response = ? WHERE event_id = ? AND channel = ? AND status = 'pending' AND leased_until = ?",
                now() + wait.toMillis(), error, response, eventId, channel, leasedUntil) > 0;
    }

    /** Makes a pending delivery a dead letter; false when it is no longer pending under this lease. */
    public boolean dead(String eventId, String channel, long leasedUntil, String error, String response) {
        return writer.updateRowsOf(eventId, "UPDATE deliveries SET status = 'dead', attempts = attempts + 1, finished_at = ?, "
                + "leased_until = 0, last_error = ?, last_response = ? WHERE event_id = ? AND channel = ? AND status = 'pending' "
                + "AND leased_until = ?", now(), error, response, eventId, channel, leasedUntil) > 0;
    }

    /**
     * Makes a pending delivery a dead letter without an attempt (no route serves its channel, or
     * its message was rendered for another type): the channel's last answer, if any, is kept
     * after {@code why}, cut so that repeated give-ups (replayed in between) stay short. False when
     * it is no longer pending.
     */
    public boolean giveUp(String eventId, String channel, String reason, String why) {
        return writer.updateRowsOf(eventId, "UPDATE deliveries SET status = 'dead', finished_at = ?, leased_until = 0, "
                + "last_error = ?, last_response = ? || COALESCE('; before: ' || SUBSTR(last_response, 1, 300), '') "
                + "WHERE event_id = ? AND channel = ? AND status = 'pending'", now(), reason, why, eventId, channel) > 0;
    }

    public List<DeadLetter> deadLetters(int limit) {
        return deadLetters(null, false, limit);
    }

    /**
     * Dead letters of one channel (null: all), oldest or newest first, at most {@code limit}. An
     * event body over {@link #LISTED_BODY} characters is read alone, after the page: a page of
     * events near the body limit (a node name of a megabyte) read at once would not fit in memory.
     */
    public List<DeadLetter> deadLetters(String channel, boolean newestFirst, int limit) {
        return listed("dead", "d.finished_at" + (newestFirst ? " DESC" : ""), channel, limit, ListedRow::deadLetter);
    }

    /**
     * Deliveries not made yet, of one channel (null: all), those queued longest ago first, at most
     * {@code limit}: what each waits for (its attempts, the last failure, the next attempt), and
     * whether a replica holds its lease. Read as {@link #deadLetters} reads.
     */
    public List<PendingDelivery> pending(String channel, int limit) {
        long now = now();
        return listed("pending", "d.created_at", channel, limit, (row, event) -> row.pending(event, now));
    }

    private <T> List<T> listed(String status, String order, String channel, int limit, BiFunction<ListedRow, NotificationEvent, T> as) {
        String failure = "cannot list " + status + " deliveries";
        List<ListedRow> rows = read(failure,
                "SELECT d.event_id, d.channel, CASE WHEN LENGTH(e.body) <= ? THEN e.body END, d.attempts, d.last_error, "
                        + "d.last_response, e.accepted_at, d.created_at, d.finished_at, d.next_attempt_at, d.leased_until "
                        + "FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.status = ? "
                        + "AND (CAST(? AS TEXT) IS NULL OR d.channel = ?) ORDER BY " + order + " LIMIT ?",
                rs -> new ListedRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5),
                        rs.getString(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10), rs.getLong(11)),
                LISTED_BODY, status, channel, channel, limit);
        List<T> listed = new ArrayList<>(rows.size());
        for (ListedRow row : rows) {
            String body = row.body() != null ? row.body()
                    : read(failure, "SELECT body FROM events WHERE id = ?", rs -> rs.getString(1), row.eventId())
                            .stream().findFirst().orElse(null);
            if (body != null) { // null: gone since the page was read
                listed.add(as.apply(row, EventCodec.fromJson(body)));
            }
        }
        return listed;
    }

    /** A listed delivery as read, its event's body left out when long (null). */
    private record ListedRow(String eventId, String channel, String body, int attempts, String reason, String lastResponse,
                             long acceptedAt, long createdAt, long finishedAt, long nextAttemptAt, long leasedUntil) {
        DeadLetter deadLetter(NotificationEvent event) {
            return DeadLetter.of(eventId, channel, event, attempts, reason, lastResponse,
                    Instant.ofEpochMilli(acceptedAt), Instant.ofEpochMilli(createdAt), Instant.ofEpochMilli(finishedAt));
        }

        PendingDelivery pending(NotificationEvent event, long now) {
            return PendingDelivery.of(eventId, channel, event, attempts, reason, lastResponse, Instant.ofEpochMilli(acceptedAt),
                    Instant.ofEpochMilli(createdAt), Instant.ofEpochMilli(nextAttemptAt), leasedUntil > now);
        }
    }

    /**
     * Puts dead deliveries back in the queue (all, one event's, one channel's, or one delivery),
     * only those rendered for channel type {@code type} (null: every one); where the store does
     * not know what one was rendered for (an earlier version did not keep it), {@code
     * assumedType} stands in. Those of another type are counted in the same unit.
     */
    public Replayed replay(String eventId, String channel, String type, String assumedType) {
        long now = now();
        return writer.await(writer.submit(db -> {
            int moved = db.update("UPDATE deliveries SET " + REQUEUED + " WHERE " + DEAD_LETTERS_OF + RENDERED_FOR,
                    now, now, eventId, eventId, channel, channel, type, assumedType, type);
            return new Replayed(moved, ofAnotherType(db, eventId, channel, type, assumedType), 0);
        }));
    }

    /**
     * As {@link #replay(String, String, String, String)}, each to channel {@code to} instead of
     * its own (one renamed or removed in channels.yaml), with the message rendered for its own.
     * An event that already has a delivery for {@code to} keeps its dead letter: it would reach
     * that channel twice.
     */
    public Replayed replayTo(String eventId, String channel, String to, String type, String assumedType) {
        long now = now();
        String thereAlready = "EXISTS (SELECT 1 FROM deliveries other WHERE other.event_id = deliveries.event_id "
                + "AND other.channel = ?)";
        return writer.await(writer.submit(db -> {
            int moved = db.update("UPDATE deliveries SET channel = ?, " + REQUEUED + " WHERE " + DEAD_LETTERS_OF + RENDERED_FOR
                    + " AND NOT " + thereAlready, to, now, now, eventId, eventId, channel, channel, type, assumedType, type, to);
            // each reason counted by its own test: a dead letter another replica adds meanwhile is
            // counted (on PostgreSQL each statement sees what is committed when it starts), but never under the wrong reason
            long deliveredThere = db.count("SELECT COUNT(*) FROM deliveries WHERE " + DEAD_LETTERS_OF + RENDERED_FOR
                    + " AND " + thereAlready, eventId, eventId, channel, channel, type, assumedType, type, to);
            return new Replayed(moved, ofAnotherType(db, eventId, channel, type, assumedType), deliveredThere);
        }));
    }

    /** How many of the dead letters filtered were rendered for another type than {@code type} (none when null). */
    private static long ofAnotherType(StoreWriter.Statements db, String eventId, String channel, String type, String assumedType)
            throws SQLException {
        return type == null ? 0 : db.count("SELECT COUNT(*) FROM deliveries WHERE " + DEAD_LETTERS_OF
                + " AND COALESCE(rendered_for, ?) <> ?", eventId, eventId, channel, channel, assumedType, type);
    }

    /**
     * What a replay did: how many dead letters went back in the queue, and how many it matched
     * and left, because they were rendered for another type of channel, or because their events
     * have a delivery for the channel named already.
     */
    public record Replayed(int replayed, long ofAnotherType, long deliveredThere) {
    }

    /**
     * The channel types the dead letters of one event and/or one channel (null matches any) were
     * rendered for; null among them when some were rendered by a version that did not keep it.
     */
    public Set<String> deadLetterTypes(String eventId, String channel) {
        return new HashSet<>(read("cannot read dead letters", "SELECT DISTINCT rendered_for FROM deliveries WHERE "
                + DEAD_LETTERS_OF, rs -> rs.getString(1), eventId, eventId, channel, channel));
    }

    /** How many deliveries each channel has, by status (pending, delivered, dead). */
    public Map<String, Map<String, Long>> deliveriesByChannel() {
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        read("cannot count the deliveries", "SELECT channel, status, COUNT(*) FROM deliveries GROUP BY channel, status",
                rs -> counts.computeIfAbsent(rs.getString(1), c -> new TreeMap<>()).put(rs.getString(2), rs.getLong(3)));
        return counts;
    }

    /**
     * Forgets dead letters (of one event and/or one channel; null matches any) that will never be
     * delivered: a channel removed for good, an address that does not exist. The event itself is
     * forgotten with the dedup window, as a delivered one is, so a replayed webhook stays a duplicate.
     */
    public int discard(String eventId, String channel) {
        return writer.update("DELETE FROM deliveries WHERE " + DEAD_LETTERS_OF, eventId, eventId, channel, channel);
    }

    /** How long a claimed delivery is held for its sender (DELIVERY_LEASE). */
    Duration deliveryLease() {
        return lease;
    }

    /** True on a store the replicas share (PostgreSQL), false on a process's own (SQLite). */
    public boolean shared() {
        return store.shared();
    }

    /** Why writes to the store fail as a whole just now (a full disk, the database away), or null. */
    public String storeFailure() {
        return writer.storeFailure();
    }

    /** One query: with the database away, a reader waits for one connection, not for one per figure. */
    public OutboxStats stats() {
        return OutboxStats.total(statsByChannel().values());
    }

    /** As {@link #stats()}, per channel (only those with deliveries pending or dead). */
    public Map<String, OutboxStats> statsByChannel() {
        long now = now();
        Map<String, long[]> rows = new TreeMap<>();
        read("cannot read the outbox", "SELECT channel, status, COUNT(*), MIN(created_at) FROM deliveries "
                + "WHERE status IN ('pending', 'dead') GROUP BY channel, status", rs -> {
                    long[] row = rows.computeIfAbsent(rs.getString(1), c -> new long[3]);
                    if ("pending".equals(rs.getString(2))) {
                        row[0] = rs.getLong(3);
                        row[1] = Math.max(0, (now - rs.getLong(4)) / 1000);
                    } else {
                        row[2] = rs.getLong(3);
                    }
                    return null;
                });
        Map<String, OutboxStats> stats = new TreeMap<>();
        rows.forEach((channel, row) -> stats.put(channel, new OutboxStats(row[0], row[1], row[2])));
        return stats;
    }

    /**
     * Forgets what no longer matters: finished deliveries, and events past the dedup window with
     * nothing pending or dead. Dead letters stay until replayed or discarded.
     */
    public int forgetBefore(Instant cutoff) {
        long before = cutoff.toEpochMilli();
        int forgotten = 0;
        long from = Long.MIN_VALUE;
        while (from < before) {
            long to = nextBatchEnd(from, before);
            long start = from;
            forgotten += writer.await(writer.submit(db -> {
                // a delivery finishes after its event was accepted: the event's range finds it through events_accepted
                db.update("DELETE FROM deliveries WHERE status = 'delivered' AND finished_at < ? AND event_id IN "
                        + "(SELECT id FROM events WHERE accepted_at >= ? AND accepted_at < ?)", before, start, to);
                return db.update("DELETE FROM events WHERE accepted_at >= ? AND accepted_at < ? AND dispatched = 1 "
                        + "AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id)", start, to);
            }));
            from = to;
        }
        return forgotten;
    }

    /** Events forgotten to a writer unit, about: see {@link #forgetBefore}. */
    static final int FORGET_BATCH = 2000;

    /**
     * Where the batch of events accepted from {@code from} on ends: after about {@link
     * #FORGET_BATCH} of them, by acceptance time (all of one millisecond in one batch), or at
     * {@code before} when fewer are left. In one statement, a burst's 50,000 events held the
     * writer 1.7 s (the intake waited as long) and left SQLite's WAL at 23 MB; between units the
     * intake's writes go on. Batches walk forward: what stays (dead letters, kept for months) is
     * passed once, not read again by every batch.
     */
    private long nextBatchEnd(long from, long before) {
        List<Long> last = read("cannot read the outbox", "SELECT accepted_at FROM events WHERE accepted_at >= ? "
                + "AND accepted_at < ? ORDER BY accepted_at LIMIT 1 OFFSET ?", rs -> rs.getLong(1), from, before, FORGET_BATCH);
        return last.isEmpty() ? before : Math.max(last.get(0), from + 1);
    }

    /**
     * Keeps {@code order} as the latest event delivered to {@code incident} (a PagerDuty channel
     * and dedup key), unless a later one is kept ({@link EventOrder#isAfter}, in SQL). The table's
     * name is from when only resolves were kept; {@code resolved_by} is when the event was accepted
     * (what builds before schema 9 read and move on), {@code happened_at} when it happened, valid
     * while {@code happened_for} is that same {@code resolved_by}. Not waited for: the process that
     * sent it keeps it in memory too.
     */
    @Override
    public CompletableFuture<Integer> incidentEventDelivered(String incident, EventOrder order) {
        long accepted = order.accepted().toEpochMilli();
        return writer.submit(db -> db.update("INSERT INTO resolved_incidents (incident, resolved_by, happened_at, happened_for) "
                + "VALUES (?, ?, CAST(? AS BIGINT), ?) ON CONFLICT (incident) DO UPDATE SET resolved_by = excluded.resolved_by, "
                + "happened_at = excluded.happened_at, happened_for = excluded.happened_for "
                + "WHERE CASE WHEN excluded.happened_at IS NOT NULL AND " + HAPPENED + " IS NOT NULL AND excluded.happened_at <> "
                + HAPPENED + " THEN excluded.happened_at > " + HAPPENED
                + " ELSE excluded.resolved_by > resolved_incidents.resolved_by END",
                incident, accepted, order.happened() == null ? null : order.happened().toEpochMilli(), accepted));
    }

    /** The latest event delivered to {@code incident}, if one was (and is not forgotten). */
    @Override
    public Optional<EventOrder> latestIncidentEvent(String incident) {
        return read("cannot read the incidents' deliveries", "SELECT " + HAPPENED + ", resolved_by FROM resolved_incidents "
                + "WHERE incident = ?", rs -> {
                    long happened = rs.getLong(1);
                    return new EventOrder(rs.wasNull() ? null : Instant.ofEpochMilli(happened), Instant.ofEpochMilli(rs.getLong(2)));
                }, incident).stream().findFirst();
    }

    /**
     * Forgets leases that ran out before {@code cutoff}: those a process held when it died (an
     * incident's turn is one per incident, and most are never taken again). Taking a lease makes
     * its row anew, so nothing depends on an expired one.
     */
    public int forgetLeasesExpiredBefore(Instant cutoff) {
        return writer.update("DELETE FROM leases WHERE expires_at < ?", cutoff.toEpochMilli());
    }

    /** Forgets incidents whose latest delivered event was accepted before {@code cutoff}; returns how many. */
    public int forgetIncidentsBefore(Instant cutoff) {
        return writer.update("DELETE FROM resolved_incidents WHERE resolved_by < ?", cutoff.toEpochMilli());
    }

    /**
     * Takes or keeps the lease {@code name} for {@code owner} until {@code ttl} from now: true when
     * the owner holds it (it was free, expired, or already the owner's). The pollers' leadership.
     */
    public boolean holdLease(String name, String owner, Duration ttl) {
        long now = now();
        String upsert = "INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE "
                + "SET owner = excluded.owner, expires_at = excluded.expires_at "
                + "WHERE leases.owner = excluded.owner OR leases.expires_at < ?";
        Object[] args = {name, owner, now + ttl.toMillis(), now};
        int taken = writer.await(writer.submit(db -> store.shared() ? withShortLockWait(db, upsert, args) : db.update(upsert, args)));
        if (taken == LOCKED_ELSEWHERE) {
            // not "not held": the row may be this replica's, its renewal only kept from the row
            throw new OutboxException("the lease " + name + " is locked by another session (a replica cut off mid-write?)", null);
        }
        return taken > 0;
    }

    /**
     * PostgreSQL: a lease row another session holds locked (a cut-off replica's open transaction,
     * until the server ends it) fails the statement after 100 ms instead of lock_timeout's 2 s,
     * and only the statement: rolled back to before it, the writer commits the rest of its batch.
     * Every replica tries its leases every few seconds, and all of its writes wait behind them.
     */
    private static int withShortLockWait(StoreWriter.Statements db, String sql, Object... args) throws SQLException {
        db.update("SAVEPOINT lease");
        db.update("SET LOCAL lock_timeout = '100ms'");
        try {
            int rows = db.update(sql, args);
            db.update("RELEASE SAVEPOINT lease");
            db.update("SET LOCAL lock_timeout TO DEFAULT");
            return rows;
        } catch (SQLException e) {
            if (!StoreWriter.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                throw e;
            }
            db.update("ROLLBACK TO SAVEPOINT lease"); // and the short wait with it
            return LOCKED_ELSEWHERE;
        }
    }

    /** Gives the lease up (on shutdown), so another replica takes over at once. */
    public void releaseLease(String name, String owner) {
        writer.await(releaseLeaseLater(name, owner));
    }

    /** As {@link #releaseLease}, not waited for: the future completes once the store has let go. */
    public CompletableFuture<Integer> releaseLeaseLater(String name, String owner) {
        return writer.submit(db -> db.update("DELETE FROM leases WHERE name = ? AND owner = ?", name, owner));
    }

    /** Where a poller (the audit log's or the savings summary's, of a cluster) stands, if it ever ran. */
    public Optional<String> checkpoint(String name) {
        return read("cannot read checkpoint " + name, "SELECT state FROM checkpoints WHERE name = ?", rs -> rs.getString(1), name)
                .stream().findFirst();
    }

    public void saveCheckpoint(String name, String state) {
        writer.update("INSERT INTO checkpoints (name, state, saved_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE "
                + "SET state = excluded.state, saved_at = excluded.saved_at", name, state, now());
    }

    private long now() {
        return clock.millis();
    }

    /**
     * When a lease taken at {@code now} runs out: one definition, as a lease is let go by matching
     * the time the unit that took it wrote (an unconfirmed accept's, a unit run again).
     */
    private long leaseFrom(long now) {
        return now + lease.toMillis();
    }

    private long queryLong(String sql, Object... args) {
        return read("cannot read the outbox", sql, rs -> rs.getLong(1), args).stream().findFirst().orElse(0L);
    }

    /** A row of a query's answer, as what the caller keeps of it. */
    @FunctionalInterface
    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** Runs a query on a connection of the pool (reads never wait for the writer); each row as {@code row} reads it. */
    private <T> List<T> read(String failure, String sql, Row<T> row, Object... args) {
        List<T> rows = new ArrayList<>();
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(sql)) {
            StoreWriter.bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(row.read(rs));
                }
            }
        } catch (SQLException e) {
            throw new OutboxException(failure, e);
        }
        return rows;
    }
}
