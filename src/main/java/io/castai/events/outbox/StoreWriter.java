package io.castai.events.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every write to the {@link Store} goes through one thread, which commits whatever has queued up
 * in a single transaction (group commit) and then answers each caller. A unit of work (one or
 * several statements) is committed whole or not at all, also when another unit in its batch
 * fails. Callers wait for the commit ({@link #update}, {@link #await}) or handle its outcome
 * later ({@link #submit}).
 */
final class StoreWriter {
    private static final int MAX_BATCH = 1000;
    private static final long LINGER_NANOS = TimeUnit.MICROSECONDS.toNanos(1000);
    /** While the store fails as a whole, one write a second tries it again; the others are refused at once. */
    private static final long TRY_AGAIN_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** SQLite's primary result codes for a store that fails as a whole: READONLY, IOERR, CORRUPT, FULL, CANTOPEN, NOTADB. */
    private static final Set<Integer> SQLITE_STORE_WIDE = Set.of(8, 10, 11, 13, 14, 26);
    private static final Logger LOG = LoggerFactory.getLogger(StoreWriter.class);
    /** PostgreSQL's SQLSTATE for a statement that gave up waiting for a lock (lock_timeout). */
    static final String LOCK_NOT_AVAILABLE = "55P03";

    /** Runs statements on the writer's connection, inside the unit's transaction. */
    interface Statements {
        /** One statement; the rows it changed. */
        int update(String sql, Object... args) throws SQLException;

        /** One query whose first column of its one row is a number (a COUNT): seen as the unit sees its own writes. */
        long count(String sql, Object... args) throws SQLException;

        /**
         * True while the unit runs again because the commit of its batch failed: that commit may
         * have reached the store all the same (a connection cut as it was made), and the unit may
         * find its own writes there.
         */
        boolean mayHaveBeenCommitted();
    }

    /** Statements the writer thread runs as one unit: all of them are committed, or none. */
    @FunctionalInterface
    interface Work<T> {
        T run(Statements db) throws SQLException;
    }

    /**
     * One unit for the writer thread, and the caller waiting for its commit; {@code rowKey}, when
     * given, the key of the rows it locks (an event's id).
     */
    private record Write(String rowKey, Work<?> work, CompletableFuture<Object> done) {
    }

    /**
     * Two replicas batching the same events in different orders would each lock a row the other
     * wants next, and PostgreSQL would break the deadlock only after a second (deadlock_timeout),
     * every request of the batch waiting meanwhile. So each run of units that carry a row key (the
     * one event whose rows they touch) is committed in the order of the keys: units of different
     * events touch different rows, and those of one event keep their order (a stable sort). Units
     * without a key (several events, or other tables) stay where they came, and so does everything
     * around them: a claim relies on updates queued before it being made first.
     */
    private static void inLockOrder(List<Write> batch) {
        int run = 0;
        for (int i = 0; i <= batch.size(); i++) {
            if (i == batch.size() || batch.get(i).rowKey() == null) {
                if (i - run > 1) {
                    batch.subList(run, i).sort(Comparator.comparing(Write::rowKey));
                }
                run = i + 1;
            }
        }
    }

    private final Store store;
    private final BlockingQueue<Write> writes = new LinkedBlockingQueue<>();
    private final Statements statements = new Statements() {
        @Override
        public int update(String sql, Object... args) throws SQLException {
            PreparedStatement ps = prepare(sql, args);
            int rows = ps.executeUpdate();
            // a statement kept prepared would hold its last arguments until used again: a 1 MB
            // event's JSON and one of its messages, 4 MB, for as long as no other event came
            ps.clearParameters();
            return rows;
        }

        @Override
        public long count(String sql, Object... args) throws SQLException {
            PreparedStatement ps = prepare(sql, args);
            long count;
            try (ResultSet rs = ps.executeQuery()) {
                count = rs.next() ? rs.getLong(1) : 0;
            }
            ps.clearParameters();
            return count;
        }

        @Override
        public boolean mayHaveBeenCommitted() {
            return runAgainAfterFailedCommit;
        }
    };
    /** See {@link Statements#mayHaveBeenCommitted} (the writer thread's own). */
    private boolean runAgainAfterFailedCommit;
    private Thread thread;
    /** The writer thread's own connection and statements (touched by that thread only). */
    private Connection connection;
    private final Map<String, PreparedStatement> prepared = new HashMap<>();
    private volatile boolean running;
    /** The last failure of the whole store (a full disk, the database away) no commit has followed since; null when none. */
    private volatile SQLException storeFailure;
    /** While the store fails: when (System.nanoTime()) the next write is let through to try it again. */
    private final AtomicLong nextTryNanos = new AtomicLong();
    /** While the store fails and the writer is idle: when it next tries an empty commit (writer thread only). */
    private long nextProbeNanos;

    StoreWriter(Store store) {
        this.store = store;
    }

    void start() {
        running = true;
        thread = new Thread(this::writeLoop, "outbox-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Takes no more writes, commits those queued, and ends the thread. */
    void stop() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(10_000);
            thread = null;
        }
    }

    /** Runs one statement on the writer thread and returns once it is committed. */
    int update(String sql, Object... args) {
        return await(submit(db -> db.update(sql, args)));
    }

    /** As {@link #update(String, Object...)}, for a statement on the rows of one event (its id). */
    int updateRowsOf(String eventId, String sql, Object... args) {
        return await(submit(eventId, db -> db.update(sql, args)));
    }

    <T> CompletableFuture<T> submit(Work<T> work) {
        return submit(null, work);
    }

    /** As {@link #submit(Work)}, for a unit that touches the rows of one event: its id (see {@link #inLockOrder}). */
    @SuppressWarnings("unchecked")
    <T> CompletableFuture<T> submit(String rowKey, Work<T> work) {
        if (!running) {
            throw new OutboxException("the outbox is closed", null);
        }
        SQLException failing = storeFailure;
        if (failing != null && !letThroughToTryAgain()) {
            // the store failed as a whole a moment ago: the caller hears it now, rather than after
            // its write waited behind others for the same failure (seconds each, on a full disk)
            return CompletableFuture.failedFuture(failing);
        }
        Write write = new Write(rowKey, work, new CompletableFuture<>());
        writes.add(write);
        // stopped meanwhile, and the writer gone without taking it: it would wait in vain
        if (!running && writes.remove(write)) {
            throw new OutboxException("the outbox is closed", null);
        }
        return (CompletableFuture<T>) (CompletableFuture<?>) write.done();
    }

    /** While the store fails: true for one write a second, which tries it again. */
    private boolean letThroughToTryAgain() {
        long next = nextTryNanos.get();
        return System.nanoTime() - next >= 0 && nextTryNanos.compareAndSet(next, System.nanoTime() + TRY_AGAIN_NANOS);
    }

    /** Why writes fail as a whole just now (for the health check), or null. */
    String storeFailure() {
        SQLException failing = storeFailure;
        return failing == null ? null : failing.getMessage() == null ? failing.getClass().getSimpleName()
                : failing.getMessage().lines().findFirst().orElse("");
    }

    /**
     * A failure of the store as a whole, which every write would meet: a full disk, an I/O error or a
     * read-only file (SQLite), the connection lost or the server out of resources (PostgreSQL),
     * no connection to be had. Not one unit's own (a constraint, a lock timeout).
     */
    static boolean ofTheWholeStore(SQLException e) {
        if (e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException) {
            return true;
        }
        String state = e.getSQLState();
        if (state == null) {
            return SQLITE_STORE_WIDE.contains(e.getErrorCode() & 0xff);
        }
        return state.startsWith("08") || state.startsWith("53") || state.startsWith("57P") || state.startsWith("58");
    }

    /** On the writer thread. */
    private void failedAsAWhole(SQLException e) {
        storeFailure = e;
        nextTryNanos.set(System.nanoTime() + TRY_AGAIN_NANOS);
        // the idle probe too waits its second: it ran at the writer's next idle poll and cleared a
        // failure 100 ms old (an empty commit succeeds on a full disk; only a write finds it again)
        nextProbeNanos = System.nanoTime() + TRY_AGAIN_NANOS;
    }

    <T> T await(CompletableFuture<T> done) {
        try {
            return done.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new OutboxException("cannot write to the outbox (" + store.description() + ")", e.getCause());
        } catch (TimeoutException e) {
            throw new OutboxException("the outbox did not commit within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutboxException("interrupted while writing to the outbox", e);
        }
    }

    /**
     * Binds a statement's arguments. A NUL in a text becomes U+FFFD, on both stores alike:
     * PostgreSQL's text cannot hold one, and an event whose message held one (JSON allows it as
     * \u0000) was refused by the store on every retry of its sender.
     */
    static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            ps.setObject(i + 1, arg instanceof String text && text.indexOf('\0') >= 0 ? text.replace('\0', '\uFFFD') : arg);
        }
    }

    /** The writer thread: takes what has queued up, commits it in one transaction, answers each caller. */
    private void writeLoop() {
        List<Write> batch = new ArrayList<>();
        while (running || !writes.isEmpty()) {
            try {
                Write first = writes.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    tryTheStoreAgainWhileIdle();
                    continue;
                }
                batch.add(first);
                gather(batch);
                inLockOrder(batch);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Throwable unexpected) {
                // whatever it was, this thread goes on: every later write depends on it
                LOG.error("Outbox writer failed a batch of {} write(s)", batch.size(), unexpected);
                batch.forEach(write -> write.done().completeExceptionally(unexpected));
                discardConnection();
            } finally {
                batch.clear();
            }
        }
        closeConnection();
    }

    /**
     * While the store has failed and nothing comes to write (a quiet service), an empty commit
     * once a second (a round trip to the server, not an empty commit): health check "store" does not stay DOWN for a failure that
     * has passed until the next event. A full disk is found again by the next real write.
     */
    private void tryTheStoreAgainWhileIdle() {
        // a clock of its own: the writes' one-a-second try is theirs, and a failed probe does not put it off
        if (storeFailure == null || System.nanoTime() - nextProbeNanos < 0) {
            return;
        }
        nextProbeNanos = System.nanoTime() + TRY_AGAIN_NANOS;
        try {
            // a round trip to the server: an empty commit on a kept connection may send nothing at all
            if (connection().isValid(2)) {
                storeFailure = null;
            } else {
                letGoOfConnection();
            }
        } catch (SQLException e) {
            letGoOfConnection();
        }
    }

    /**
     * Adds what has queued up and, when that is anything (the service is busy), what else arrives
     * within {@link #LINGER_NANOS} of the batch's first write. Each commit writes every page it
     * touched to the WAL: under load, batches of ~4 units were committed 4,400 times a second,
     * and waiting up to a millisecond for company made them ~36 units, 480 times a second. A
     * lone write (a quiet service) is committed at once.
     */
    private void gather(List<Write> batch) throws InterruptedException {
        writes.drainTo(batch, MAX_BATCH - batch.size());
        if (batch.size() == 1) {
            return;
        }
        long deadline = System.nanoTime() + LINGER_NANOS;
        while (batch.size() < MAX_BATCH) {
            long left = deadline - System.nanoTime();
            Write next = left > 0 ? writes.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
                return;
            }
            batch.add(next);
            writes.drainTo(batch, MAX_BATCH - batch.size());
        }
    }

    /**
     * Commits a batch on the writer's own connection, whose prepared statements are kept from one
     * batch to the next (preparing them anew cost ~3 % of CPU under load). After a failure the
     * connection is let go ({@link #letGoOfConnection}) and each unit is tried on its own.
     */
    private void commit(List<Write> batch) {
        Connection c;
        // a failure on a connection kept from earlier batches may be that connection's alone (ended
        // by the server, cut by a proxy): only one just taken from the pool speaks for the store
        boolean fresh = connection == null;
        try {
            c = connection();
        } catch (SQLException unreachable) {
            // no connection (the database is away): every caller hears it now, none waits 30 s
            failedAsAWhole(unreachable);
            batch.forEach(write -> write.done().completeExceptionally(unreachable));
            return;
        }
        Object[] results = new Object[batch.size()];
        int running = 0;
        try {
            for (; running < batch.size(); running++) {
                results[running] = batch.get(running).work().run(statements);
            }
            c.commit();
        } catch (SQLException | RuntimeException batchFailed) {
            // a unit that throws anything must not end the writer thread: every later write would wait
            letGoOfConnection();
            if (fresh && batchFailed instanceof SQLException e && ofTheWholeStore(e)) {
                // each unit on its own would meet the same failure, one after the other
                failedAsAWhole(e);
                batch.forEach(write -> write.done().completeExceptionally(e));
                return;
            }
            // one bad unit must not fail the others: each on its own. Every statement ran and the
            // commit failed: it may have been made all the same, and each unit is told so
            boolean commitFailed = running == batch.size();
            for (int i = 0; i < batch.size(); i++) {
                Connection unit;
                try {
                    unit = connection();
                } catch (SQLException unreachable) {
                    // the database is away: the rest hear it now, not one connect timeout each
                    failedAsAWhole(unreachable);
                    batch.subList(i, batch.size()).forEach(write -> write.done().completeExceptionally(unreachable));
                    return;
                }
                Write write = batch.get(i);
                if (i == running && batchFailed instanceof SQLException e && LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    // a row another transaction holds (a replica cut off mid-write, until the server
                    // ends its session): waiting for it once more would hold every write behind it again
                    write.done().completeExceptionally(e);
                    continue;
                }
                try {
                    runAgainAfterFailedCommit = commitFailed;
                    Object result = write.work().run(statements);
                    unit.commit();
                    storeFailure = null;
                    write.done().complete(result);
                } catch (SQLException | RuntimeException e) {
                    letGoOfConnection();
                    write.done().completeExceptionally(e);
                } finally {
                    runAgainAfterFailedCommit = false;
                }
            }
            return;
        }
        storeFailure = null;
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done().complete(results[i]);
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = store.dataSource().getConnection();
            connection.setAutoCommit(false);
        }
        return connection;
    }

    private void closeConnection() {
        closeStatements();
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // back to the pool, which drops it if it is broken
            }
            connection = null;
        }
    }

    /**
     * After a failed write: the connection is rolled back and handed back to the pool, which
     * checks it before handing it out again (a broken link is dropped there). Where the rollback
     * fails too, its state is past mending (SQLite ends a transaction by itself on a full disk,
     * and its driver then runs every statement outside one and fails every commit, errors the
     * pool does not take for a broken link): it is closed for good ({@link Store#evict}).
     */
    private void letGoOfConnection() {
        if (connection == null) {
            return;
        }
        try {
            connection.rollback();
        } catch (SQLException unmendable) {
            discardConnection();
            return;
        }
        closeConnection();
    }

    private void discardConnection() {
        closeStatements();
        if (connection != null) {
            store.evict(connection);
            connection = null;
        }
    }

    private void closeStatements() {
        for (PreparedStatement ps : prepared.values()) {
            try {
                ps.close();
            } catch (SQLException ignored) {
                // the connection goes too
            }
        }
        prepared.clear();
    }

    /** One statement on the writer's connection (writer thread only), kept prepared, its arguments bound. */
    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        PreparedStatement ps = prepared.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            prepared.put(sql, ps);
        }
        bind(ps, args);
        return ps;
    }
}
