package io.castai.events.outbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import io.castai.events.support.Postgres;
import io.castai.events.support.TcpProxy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The writer's promise to every caller: its write is committed, or it hears that it was not. */
class StoreWriterTest {
    @Test
    void aWriteSubmittedAsTheWriterStopsIsCommittedOrRefusedNeverLeftWaiting() throws Exception {
        Path dir = Files.createTempDirectory("store-writer");
        try (Store store = Store.sqlite(dir)) {
            for (int round = 0; round < 300; round++) {
                StoreWriter writer = new StoreWriter(store);
                writer.start();
                Queue<CompletableFuture<Integer>> submitted = new ConcurrentLinkedQueue<>();
                // callers that go on submitting until the writer refuses them
                List<Thread> callers = IntStream.range(0, 3).mapToObj(i -> new Thread(() -> {
                    try {
                        while (true) {
                            submitted.add(writer.submit(db -> 1));
                        }
                    } catch (OutboxException closed) {
                        // refused at once: what a caller should hear once the writer stops
                    }
                })).toList();
                callers.forEach(Thread::start);
                writer.stop();
                for (Thread caller : callers) {
                    caller.join();
                }
                for (CompletableFuture<Integer> done : submitted) {
                    // a write left in the stopped writer's queue would wait for ever (its caller: 30 s)
                    assertThat(done).as("round %d", round).succeedsWithin(1, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    void aTransactionTheDatabaseEndedByItselfLeavesNoConnectionThatLiesAboutCommits() throws Exception {
        withWriter(writer -> {
            writer.update("CREATE TABLE written (v INTEGER)");
            // SQLite ends a transaction itself on a full disk, behind the driver's back; so does this
            assertThatThrownBy(() -> writer.update("COMMIT")).isInstanceOf(OutboxException.class);

            for (int v = 1; v <= 3; v++) {
                assertThat(writer.update("INSERT INTO written (v) VALUES (?)", v)).as("write %d committed, and said so", v)
                        .isEqualTo(1);
            }
            assertThat(writer.submit(db -> db.update("INSERT INTO written (v) SELECT 4 WHERE 1 = 0")))
                    .succeedsWithin(5, TimeUnit.SECONDS);
        });
    }

    @Test
    void whileTheWholeStoreFailsWritesAreRefusedAtOnceAndOneASecondTriesItAgain() throws Exception {
        withWriter(writer -> {
            long beforeTheFailure = System.nanoTime();
            // what SQLite says when the disk is full (SQLITE_FULL, 13), on the writer's first, fresh connection
            assertThat(writer.submit(db -> {
                throw new SQLException("[SQLITE_FULL] Insertion failed because database is full (database or disk is full)", null, 13);
            })).failsWithin(5, TimeUnit.SECONDS);
            assertThat(writer.storeFailure()).startsWith("[SQLITE_FULL]");

            // refused without reaching the writer (on a full disk each try costs seconds)
            long started = System.nanoTime();
            assertThatThrownBy(() -> writer.update("INSERT INTO written (v) VALUES (1)"))
                    .isInstanceOf(OutboxException.class).satisfies(e -> assertThat(OutboxException.describe(e)).contains("[SQLITE_FULL]"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(200));

            // the store would answer now, but the idle writer's probe waits the same second as the
            // writes: health does not turn UP between a full disk's failed writes (each read checked
            // only if it ended within that second, so a stalled test thread cannot fail it)
            long sinceTheFailure;
            do {
                String failure = writer.storeFailure();
                sinceTheFailure = System.nanoTime() - beforeTheFailure;
                if (sinceTheFailure < TimeUnit.MILLISECONDS.toNanos(950)) {
                    assertThat(failure).as("after %d ms", sinceTheFailure / 1_000_000).isNotNull();
                }
                Thread.sleep(20);
            } while (sinceTheFailure < TimeUnit.MILLISECONDS.toNanos(800));

            // a second later one write tries the store again; it works, and so does everything after it
            Thread.sleep(1100);
            writer.update("CREATE TABLE written (v INTEGER)");
            assertThat(writer.update("INSERT INTO written (v) VALUES (2)")).isEqualTo(1);
            assertThat(writer.storeFailure()).isNull();
            assertThat(writer.update("INSERT INTO written (v) VALUES (3)")).isEqualTo(1);
        });
    }

    @Test
    void aFailureOfAConnectionKeptFromEarlierIsTriedAgainOnAFreshOneAndRefusesNothing() throws Exception {
        withWriter(writer -> {
            writer.update("CREATE TABLE written (v INTEGER)");
            // the server ended the writer's session (pg_terminate_backend): its next statement says 57P01
            AtomicBoolean ended = new AtomicBoolean();
            assertThat(writer.submit(db -> {
                if (ended.compareAndSet(false, true)) {
                    throw new SQLException("FATAL: terminating connection due to administrator command", "57P01");
                }
                return db.update("INSERT INTO written (v) VALUES (1)");
            })).succeedsWithin(5, TimeUnit.SECONDS).isEqualTo(1);

            assertThat(writer.storeFailure()).isNull();
            assertThat(writer.update("INSERT INTO written (v) VALUES (2)")).isEqualTo(1);
        });
    }

    @Test
    void aPassedFailureIsClearedWhileNothingIsWritten() throws Exception {
        withWriter(writer -> {
            assertThat(writer.submit(db -> {
                throw new SQLException("[SQLITE_IOERR] disk I/O error", null, 10);
            })).failsWithin(5, TimeUnit.SECONDS);
            assertThat(writer.storeFailure()).startsWith("[SQLITE_IOERR]");

            // no event comes; health check "store" must not stay DOWN until one does
            await().atMost(Duration.ofSeconds(5)).until(() -> writer.storeFailure() == null);
        });
    }

    @Test
    void oneWritesOwnFailureRefusesNoOtherWrite() throws Exception {
        withWriter(writer -> {
            writer.update("CREATE TABLE written (v INTEGER PRIMARY KEY)");
            writer.update("INSERT INTO written (v) VALUES (1)");
            assertThatThrownBy(() -> writer.update("INSERT INTO written (v) VALUES (1)")).as("a constraint").isInstanceOf(OutboxException.class);

            assertThat(writer.storeFailure()).isNull();
            assertThat(writer.update("INSERT INTO written (v) VALUES (2)")).isEqualTo(1);
        });
    }

    /** A started writer on a SQLite store of its own, stopped after the test. */
    private static void withWriter(WriterTest test) throws Exception {
        Path dir = Files.createTempDirectory("store-writer");
        try (Store store = Store.sqlite(dir)) {
            StoreWriter writer = new StoreWriter(store);
            writer.start();
            try {
                test.run(writer);
            } finally {
                writer.stop();
            }
        }
    }

    @FunctionalInterface
    private interface WriterTest {
        void run(StoreWriter writer) throws Exception;
    }

    @Test
    void aBatchCaughtByADatabaseOutageFailsWithinAConnectTimeoutNotOneForEachWrite() throws Exception {
        try (Postgres database = Postgres.freshDatabase(); TcpProxy relay = new TcpProxy(5432);
             Store store = Store.postgres(database.url().replace(":5432/", ":" + relay.port() + "/"), Postgres.USER, "", 4,
                     Duration.ofSeconds(1))) {
            StoreWriter writer = new StoreWriter(store);
            writer.start();
            try {
                writer.update("CREATE TABLE written (v INTEGER)");
                // the writer held by a unit while ten queue up behind it: they are then one batch
                CountDownLatch holding = new CountDownLatch(1);
                CountDownLatch held = new CountDownLatch(1);
                CompletableFuture<Integer> holder = writer.submit(db -> {
                    holding.countDown();
                    try {
                        held.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return 0;
                });
                assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
                List<CompletableFuture<Integer>> batch = IntStream.range(0, 10)
                        .mapToObj(v -> writer.submit(db -> {
                            if (v == 0) {
                                relay.cut(); // the database goes away under the batch's first statement
                            }
                            return db.update("INSERT INTO written (v) VALUES (?)", v);
                        })).toList();
                long started = System.nanoTime();
                held.countDown();
                assertThat(holder).succeedsWithin(5, TimeUnit.SECONDS);

                for (CompletableFuture<Integer> write : batch) {
                    assertThat(write).failsWithin(20, TimeUnit.SECONDS);
                }
                // one attempt at a connection for the batch (1 s here), not one per write (10 s)
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            } finally {
                relay.restore();
                writer.stop();
            }
        }
    }
}
