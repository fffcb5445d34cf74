package io.castai.events.outbox;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.castai.events.channels.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** The outbox in its single-instance store, a SQLite file under DATA_DIR. */
class SqliteOutboxTest extends OutboxTest {
    @TempDir
    Path dir;

    @Override
    protected Store store() {
        return Store.sqlite(dir);
    }

    @Override
    protected Connection rawConnection() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("castai-events.db"));
    }

    /**
     * A caller that heard its accept fail (here interrupted; a commit timed out or cut off by a
     * lost connection, in the field) although the event was stored: its sender got a 503 and its
     * retry a duplicate, and the deliveries leased to that caller waited 2 minutes for their lease.
     */
    @Test
    void deliveriesOfAnEventStoredAfterItsCallerHeardAFailureAreDueAtOnce() throws Exception {
        try (Connection other = rawConnection(); Statement lock = other.createStatement()) {
            // another writer holds the file: the accept waits in the writer (up to SQLite's busy timeout)
            lock.execute("BEGIN IMMEDIATE");
            CompletableFuture<Thread> caller = new CompletableFuture<>();
            CompletableFuture<Throwable> heard = CompletableFuture.supplyAsync(() -> {
                caller.complete(Thread.currentThread());
                return catchThrowable(() -> outbox.accept(event("late-1"), List.of(message("slack", false))));
            });
            Thread.sleep(300);
            caller.get().interrupt();
            assertThat(heard.get(5, TimeUnit.SECONDS)).isInstanceOf(OutboxException.class);
            lock.execute("COMMIT");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> outbox.acceptedAt("late-1").isPresent());

        assertThat(outbox.claimDue(10)).as("stored after all, and due now").extracting(delivery -> delivery.event().getId())
                .containsExactly("late-1");
    }

    /**
     * The writer's connection cut as its commit was made: the commit reached the file, the writer
     * heard it fail and ran the unit again on a fresh connection, which found the event there and
     * answered as for a duplicate. The deliveries the first commit leased to that caller waited 2
     * minutes for their lease.
     */
    @Test
    void anEventWhoseCommitWasCutAsItWasMadeHasItsDeliveriesDueAtOnce(@TempDir Path other) throws Exception {
        Store store = Store.sqlite(other);
        AtomicBoolean cutNextCommit = new AtomicBoolean();
        ((HikariDataSource) store.dataSource()).setDataSource(cuttingCommits(other.resolve("castai-events.db"), cutNextCommit));
        Outbox cut = new Outbox(store, clock, Duration.ofMinutes(2), Duration.ofHours(24));
        cut.start();
        try {
            // the writer keeps its connection from here: a failure on it is that connection's, tried again
            cut.accept(event("before-1"), List.of(message("slack", false)));
            cutNextCommit.set(true);

            assertThat(cut.accept(event("cut-1"), List.of(message("slack", false)))).as("found there on the second run").isNull();
            assertThat(cut.claimDue(10)).as("stored by the first commit, and due now")
                    .extracting(delivery -> delivery.event().getId()).containsExactly("cut-1");
        } finally {
            cut.stop();
        }
    }

    /** SQLite's own connections, whose commit, once armed, is made and then fails as a connection cut there would. */
    private static DataSource cuttingCommits(Path file, AtomicBoolean cutNextCommit) {
        SQLiteDataSource sqlite = new SQLiteDataSource();
        sqlite.setUrl("jdbc:sqlite:" + file);
        ClassLoader loader = SqliteOutboxTest.class.getClassLoader();
        return (DataSource) Proxy.newProxyInstance(loader, new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
            Object made = invoked(method, sqlite, args);
            if (!(made instanceof Connection connection)) {
                return made;
            }
            return Proxy.newProxyInstance(loader, new Class<?>[] {Connection.class}, (p, m, a) -> {
                Object result = invoked(m, connection, a);
                if ("commit".equals(m.getName()) && cutNextCommit.getAndSet(false)) {
                    throw new SQLException("connection cut as the commit was made", "08006");
                }
                return result;
            });
        });
    }

    private static Object invoked(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void eachCommitIsSyncedToTheDiskBeforeItIsAnswered() throws Exception {
        // NORMAL, in WAL mode, syncs at checkpoints only: a 200 would survive kill -9, not a power cut
        try (Store store = store(); Connection connection = store.dataSource().getConnection();
             var pragma = connection.createStatement().executeQuery("PRAGMA synchronous")) {
            assertThat(pragma.next()).isTrue();
            assertThat(pragma.getInt(1)).as("2 is FULL").isEqualTo(2);
        }
    }

    @Test
    void theWalIsCutBackAfterABurst() throws Exception {
        // without a limit, a burst's WAL (23 MB seen) stayed that size on disk until a restart
        try (Store store = store(); Connection connection = store.dataSource().getConnection();
             var pragma = connection.createStatement().executeQuery("PRAGMA journal_size_limit")) {
            assertThat(pragma.next()).isTrue();
            assertThat(pragma.getLong(1)).isEqualTo(16L * 1024 * 1024);
        }
    }

    @Test
    void aSecondProcessCannotOpenTheSameDataDirectory() throws Exception {
        // a separate JVM: the lock is the operating system's, as between two pods on one volume
        Process second = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OpenDataDirectory.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(second.getInputStream().readAllBytes());

        assertThat(second.waitFor()).isEqualTo(3);
        assertThat(output).contains("is in use by another castai-events process");
        outbox.stop();
        Process afterStop = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OpenDataDirectory.class.getName(), dir.toString()).start();
        assertThat(afterStop.waitFor()).as("free again once the first has stopped").isZero();
        outbox = open();
    }

    @Test
    void aDataDirectoryThatIsAFileIsNamedInOneLine() throws Exception {
        Path file = Files.createTempFile("not-a-directory", "");

        assertThatThrownBy(() -> Store.sqlite(file)).isInstanceOf(ConfigurationException.class)
                .hasMessage("DATA_DIR (data.dir): cannot create the data directory " + file
                        + " (FileAlreadyExistsException: a file of that name is there)");
    }

    @Test
    void anOutboxThatCannotBeOpenedSaysWhyInItsMessage(@TempDir Path other) throws Exception {
        Files.writeString(other.resolve("castai-events.db"), "x".repeat(4096));
        Outbox broken = new Outbox(Store.sqlite(other), clock, Duration.ofMinutes(2), Duration.ofHours(24));
        try {
            // the cause in the one line start-up prints, not only in the stack trace
            assertThatThrownBy(broken::start).isInstanceOf(OutboxException.class)
                    .hasMessageStartingWith("cannot open the outbox (" + other).hasMessageContaining("SQLITE_NOTADB");
        } finally {
            broken.stop();
        }
    }

    @Test
    void aSecondStoreOnTheDirectoryInThisProcessIsRefusedAndTheFirstKeepsItsLock() throws Exception {
        try (Store second = Store.sqlite(dir)) {
            assertThatThrownBy(second::own)
                    .hasMessageContaining("is in use by this process");
        }
        // the same directory by another name
        Path link = Files.createSymbolicLink(dir.resolveSibling(dir.getFileName() + "-link"), dir);
        try (Store byLink = Store.sqlite(link)) {
            assertThatThrownBy(byLink::own).hasMessageContaining("is in use by this process");
        } finally {
            Files.delete(link);
        }
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OpenDataDirectory.class.getName(), dir.toString()).start();
        assertThat(other.waitFor()).as("the first store still holds the directory").isEqualTo(3);
    }

    /** Opens the store in the data directory given, in a process of its own: exit 0, or 3 when refused. */
    static final class OpenDataDirectory {
        public static void main(String[] args) {
            try (Store store = Store.sqlite(Path.of(args[0]))) {
                store.own();
                System.exit(0);
            } catch (ConfigurationException refused) {
                System.out.println(refused.getMessage());
                System.exit(3);
            }
        }
    }

    @Test
    void aLeaseLeftByACrashedRunIsVoidAtTheNextStart() {
        accept("crashed", "slack");
        outbox.stop();
        outbox = open();

        assertThat(outbox.claimDue(10)).as("one process owns the file: its old leases are void")
                .extracting(Delivery::channel).containsExactly("slack");
    }

    @Test
    void aDataDirectoryOfTheEarlierVersionIsMigrated() throws SQLException {
        // an earlier schema (version 2): an index over every event's routed flag, due deliveries
        // indexed without their channel
        outbox.stop();
        sql("DROP INDEX events_unrouted", "CREATE INDEX events_undispatched ON events (dispatched)",
                "DROP INDEX deliveries_pending", "CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at)",
                "ALTER TABLE deliveries DROP COLUMN rendered_for", "DROP TABLE resolved_incidents",
                "DELETE FROM schema_version WHERE version > 2");
        outbox = open();

        assertThat(query("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'events_%' ORDER BY name"))
                .containsExactly("events_accepted", "events_unrouted");
        assertThat(query("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'deliveries_%' ORDER BY name"))
                .containsExactly("deliveries_pending");
        assertThat(query("SELECT MAX(version) FROM schema_version")).containsExactly("10");
    }

    @Test
    void aStoreTheFirstReleaseOfMigration4MadeGetsTheSameIndexesAsAnyOther() throws SQLException {
        // version 4 as first released: due deliveries indexed by status and channel, every row
        outbox.stop();
        sql("DROP INDEX deliveries_pending",
                "CREATE INDEX deliveries_due_by_channel ON deliveries (status, channel, next_attempt_at)",
                "ALTER TABLE deliveries DROP COLUMN rendered_for", "DROP TABLE resolved_incidents",
                "DELETE FROM schema_version WHERE version > 4");
        outbox = open();

        assertThat(query("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'deliveries_%' ORDER BY name"))
                .containsExactly("deliveries_pending");
        assertThat(query("SELECT MAX(version) FROM schema_version")).containsExactly("10");
    }

}
