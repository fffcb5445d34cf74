package io.castai.events.outbox;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.castai.events.support.LogCapture;
import io.castai.events.support.Postgres;
import io.castai.events.support.TcpProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The outbox in PostgreSQL, as replicas share it: the same promises, and one answer across replicas. */
class PostgresOutboxTest extends OutboxTest {
    private Postgres database;

    @BeforeEach
    @Override
    void openOutbox() {
        database = Postgres.freshDatabase();
        super.openOutbox();
    }

    @AfterEach
    void dropDatabase() {
        if (database != null) {
            database.close();
        }
    }

    @Override
    protected Store store() {
        return Store.postgres(database.url(), Postgres.USER, "", 4, Duration.ofSeconds(3));
    }

    @Override
    protected Connection rawConnection() throws SQLException {
        return DriverManager.getConnection(database.url(), Postgres.USER, "");
    }

    @Test
    void aLoginOrDatabaseTheServerRefusesIsNotCalledUnreachable() {
        // "cannot be reached ... Kubernetes restarts the pod": a restart does not fix a wrong role
        Outbox wrongRole = new Outbox(Store.postgres(database.url(), "no_such_role_here", "", 2, Duration.ofSeconds(2)),
                clock, Duration.ofMinutes(2), Duration.ofHours(24));
        assertThatThrownBy(wrongRole::start).hasMessageContaining("CASTAI_STORE_URL (castai.store.url): the database server "
                + "refused the login (FATAL: role \"no_such_role_here\" does not exist); check CASTAI_STORE_URL, "
                + "CASTAI_STORE_USERNAME and CASTAI_STORE_PASSWORD");
        Outbox noDatabase = new Outbox(Store.postgres(Postgres.SERVER + "no_such_database", Postgres.USER, "", 2,
                Duration.ofSeconds(2)), clock, Duration.ofMinutes(2), Duration.ofHours(24));
        assertThatThrownBy(noDatabase::start).hasMessageContaining("the database server has no such database (FATAL: "
                + "database \"no_such_database\" does not exist)");
    }

    @Test
    void aLeaseRowACutOffReplicaStillHoldsIsGivenUpOnAtOnceAndHoldsUpNothingBesideIt() throws Exception {
        assertThat(outbox.holdLease("castai-pollers", "cut-off-replica", Duration.ofSeconds(30))).isTrue();
        // a replica cut off mid-write: its transaction, with the lease's row, stays open until the
        // server ends the session (idle_in_transaction_session_timeout, 30 s)
        try (Connection cutOff = rawConnection()) {
            cutOff.setAutoCommit(false);
            try (Statement s = cutOff.createStatement()) {
                s.executeUpdate("UPDATE leases SET owner = owner WHERE name = 'castai-pollers'");
            }
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                for (int i = 0; i < 5; i++) {
                    // a renewal and an event in the writer at once, mostly in one batch
                    String id = "beside-the-lease-" + i;
                    Future<Long> leaseTook = threads.submit(() -> {
                        long start = System.nanoTime();
                        assertThatThrownBy(() -> outbox.holdLease("castai-pollers", "live-replica", Duration.ofSeconds(30)))
                                .hasMessageContaining("the lease castai-pollers is locked by another session");
                        return (System.nanoTime() - start) / 1_000_000;
                    });
                    Future<List<ChannelMessage>> accepted = threads.submit(() -> outbox.accept(event(id), List.of()));
                    // lock_timeout's 2 s, then 2 s again for the unit on its own, was the writer's stall
                    assertThat(leaseTook.get(10, TimeUnit.SECONDS)).as("a 100 ms lock wait").isLessThan(1000);
                    assertThat(accepted.get(10, TimeUnit.SECONDS)).as("the event beside it, committed").isNotNull();
                }
            } finally {
                threads.shutdownNow();
            }
        }
        assertThat(outbox.holdLease("castai-pollers", "cut-off-replica", Duration.ofSeconds(30))).as("the row let go").isTrue();
    }

    @Test
    void aWriteThatGaveUpOnALockIsNotWaitedForTwice() throws Exception {
        try (Connection cutOff = rawConnection()) {
            cutOff.setAutoCommit(false);
            try (Statement s = cutOff.createStatement()) {
                s.executeUpdate("INSERT INTO checkpoints (name, state, saved_at) VALUES ('locked', 'x', 0)");
            }
            long start = System.nanoTime();
            assertThatThrownBy(() -> outbox.saveCheckpoint("locked", "y")).isInstanceOf(OutboxException.class)
                    .rootCause().hasMessageStartingWith("ERROR: canceling statement due to lock timeout");
            // its batch failed after lock_timeout (2 s); run again on its own it would wait 2 s more
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3500);
        }
    }

    @Test
    void aDueDeliveryLockedByACutOffReplicaIsPassedOverAndTheOthersAreClaimedAtOnce() throws Exception {
        for (int i = 0; i < 10; i++) {
            outbox.release("due-" + i, "slack", accept("due-" + i, "slack").get(0).leasedUntil());
        }
        try (Connection cutOff = rawConnection()) {
            cutOff.setAutoCommit(false);
            try (Statement s = cutOff.createStatement()) {
                s.executeQuery("SELECT event_id FROM deliveries WHERE event_id = 'due-0' FOR UPDATE").close();
            }
            long start = System.nanoTime();
            List<Delivery> claimed = outbox.claimDue(100);
            // waiting for the lock (lock_timeout, 2 s) failed the whole claim, on every tick of every replica
            assertThat((System.nanoTime() - start) / 1_000_000).as("ms: no lock waited for").isLessThan(1000);
            assertThat(claimed).extracting(d -> d.event().getId()).hasSize(9).doesNotContain("due-0");
            cutOff.rollback();
        }
        assertThat(outbox.claimDue(100)).as("the row let go, claimed at the next tick").extracting(d -> d.event().getId())
                .containsExactly("due-0");
    }

    @Test
    void dueDeliveriesLockedByACutOffReplicaDoNotTakeUpTheClaimsRoom() throws Exception {
        for (int i = 0; i < 30; i++) {
            String id = "due-%02d".formatted(i);
            outbox.release(id, "slack", accept(id, "slack").get(0).leasedUntil());
            clock.advance(Duration.ofMillis(1)); // claimed oldest first
        }
        try (Connection cutOff = rawConnection()) {
            cutOff.setAutoCommit(false);
            try (Statement s = cutOff.createStatement()) {
                // the twenty oldest: more than a claim's room (what the channel's queue takes)
                s.executeQuery("SELECT event_id FROM deliveries ORDER BY next_attempt_at LIMIT 20 FOR UPDATE").close();
            }
            assertThat(outbox.claimDue("slack", 15, Long.MAX_VALUE, true)).extracting(d -> d.event().getId())
                    .as("the oldest not locked").hasSize(10).allSatisfy(id -> assertThat(id).isGreaterThanOrEqualTo("due-20"));
            cutOff.rollback();
        }
    }

    @Test
    void twoReplicasGivenTheSameEventAtOnceAcceptItOnce() throws Exception {
        Outbox other = open();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            for (int i = 0; i < 50; i++) {
                String id = "same-" + i;
                List<Future<Boolean>> accepted = threads.invokeAll(List.<Callable<Boolean>>of(
                        () -> outbox.accept(event(id), List.of()) != null,
                        () -> other.accept(event(id), List.of()) != null));
                assertThat(accepted.stream().filter(this::done).count()).as(id).isEqualTo(1);
            }
        } finally {
            threads.shutdown();
            other.stop();
        }
    }

    @Test
    void aDeliveryIsClaimedByOneReplicaOnly() {
        Outbox other = open();
        try {
            for (int i = 0; i < 20; i++) {
                outbox.release("d-" + i, "slack", accept("d-" + i, "slack").get(0).leasedUntil());
            }
            List<Delivery> mine = outbox.claimDue(15);
            List<Delivery> theirs = other.claimDue(20);
            assertThat(mine.size() + theirs.size()).isEqualTo(20);
            assertThat(mine).extracting(d -> d.event().getId())
                    .doesNotContainAnyElementsOf(theirs.stream().map(d -> d.event().getId()).toList());
        } finally {
            other.stop();
        }
    }

    /**
     * Two replicas given the same events at once, from many threads: each commits
     * its batch in the order of the events' ids, so neither holds a row the other waits for (a
     * deadlock PostgreSQL breaks only after a second, with every request of the batch waiting).
     */
    @Test
    void twoReplicasGivenTheSameEventsAtOnceNeverDeadlock() throws Exception {
        Outbox other = open();
        ExecutorService threads = Executors.newFixedThreadPool(32);
        try {
            long before = deadlocks();
            // each event to both replicas at once, as a sender retrying against two pods might: the
            // threads' timing decides the order within each replica's batch
            List<Callable<Object>> accepts = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                String id = "crossed-" + i;
                accepts.add(() -> outbox.accept(event(id), List.of(message("slack", false))));
                accepts.add(() -> other.accept(event(id), List.of(message("slack", false))));
            }
            for (Future<Object> accepted : threads.invokeAll(accepts)) {
                accepted.get();
            }
            assertThat(deadlocksSince(before)).isZero();
        } finally {
            threads.shutdown();
            other.stop();
        }
    }

    @Test
    void aMigrationDuringARollingUpgradeWaitsForAnOlderReplicaInsteadOfDeadlockingWithIt() throws Exception {
        // the store as a replica of schema version 2 left it, and that replica still running
        outbox.stop();
        sql("DROP INDEX events_unrouted", "CREATE INDEX events_undispatched ON events (dispatched)",
                "DROP INDEX deliveries_pending", "CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at)",
                "ALTER TABLE deliveries DROP COLUMN rendered_for", "DROP TABLE resolved_incidents",
                "DELETE FROM schema_version WHERE version > 2");
        ExecutorService starting = Executors.newSingleThreadExecutor();
        try (Connection older = rawConnection(); Statement reads = older.createStatement()) {
            older.setAutoCommit(false);
            // the older replica's query reads deliveries, then events, in one transaction
            reads.executeQuery("SELECT COUNT(*) FROM deliveries").close();
            Future<Outbox> upgraded = starting.submit(this::open);
            // this database's waiting lock: another test's, in the other test JVM, says nothing of this one
            await().atMost(Duration.ofSeconds(10)).until(() -> !query("SELECT pid FROM pg_locks WHERE NOT granted "
                    + "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").isEmpty());
            // the new replica's migration waits for deliveries; had it kept events locked meanwhile,
            // PostgreSQL would cancel one of the two as a deadlock
            reads.executeQuery("SELECT COUNT(*) FROM events").close();
            older.commit();
            outbox = upgraded.get(30, TimeUnit.SECONDS);
        } finally {
            starting.shutdown();
        }
        assertThat(query("SELECT MAX(version) FROM schema_version")).containsExactly("10");
        assertThat(query("SELECT indexname FROM pg_indexes WHERE tablename IN ('events', 'deliveries') "
                + "AND indexname NOT LIKE '%pkey' ORDER BY indexname"))
                .containsExactly("deliveries_pending", "events_accepted", "events_unrouted");
    }

    /** Deadlocks PostgreSQL has broken in this test's database. */
    private long deadlocks() throws SQLException {
        try (Connection c = rawConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_stat_force_next_flush()");
            try (ResultSet rs = s.executeQuery("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long deadlocksSince(long before) throws Exception {
        // the other sessions report their counts when their transactions end; give them a moment
        Thread.sleep(1000);
        return deadlocks() - before;
    }

    /**
     * A channel accepted a delivery while the database was away: the record is written once it is
     * back, before the replica claims anything, so the delivery is not claimed and sent again when
     * its lease runs out.
     */
    @Test
    void aDeliveryRecordTheDatabaseMissedIsWrittenBeforeTheNextClaim() throws Exception {
        try (TcpProxy relay = new TcpProxy(5432); LogCapture log = LogCapture.attach()) {
            Outbox relayed = new Outbox(Store.postgres(database.url().replace(":5432/", ":" + relay.port() + "/"),
                    Postgres.USER, "", 4, Duration.ofSeconds(1)), clock, Duration.ofMinutes(2), Duration.ofHours(24));
            relayed.start();
            try {
                assertThat(relayed.accept(event("missed-1"), List.of(message("slack", false)))).hasSize(1);
                relay.cut();
                relayed.delivered("missed-1", "slack");
                await().atMost(Duration.ofSeconds(10)).until(() -> !log.linesContaining(
                        "Could not record the delivery of event missed-1 to slack in the store").isEmpty());
                assertThatThrownBy(() -> relayed.claimDue(10)).as("the database is still away")
                        .isInstanceOf(OutboxException.class);

                relay.restore();
                clock.advance(Duration.ofMinutes(3)); // past the lease: only the record keeps it from being claimed
                // the pool may first hand out a connection from before the cut: the next tick tries again
                List<Delivery> claimed = await().atMost(Duration.ofSeconds(10))
                        .ignoreExceptionsInstanceOf(OutboxException.class)
                        .until(() -> relayed.claimDue(10), Objects::nonNull);
                assertThat(claimed).isEmpty();
                assertThat(outbox.claimDue(10)).as("nor by another replica").isEmpty();
                assertThat(log.linesContaining("Recorded 1 deliveries the store had missed")).hasSize(1);
                try (Connection c = rawConnection();
                     ResultSet rs = c.createStatement().executeQuery(
                             "SELECT status FROM deliveries WHERE event_id = 'missed-1'")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("delivered");
                }
            } finally {
                relayed.stop();
            }
        }
    }

    private boolean done(Future<Boolean> future) {
        try {
            return future.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
