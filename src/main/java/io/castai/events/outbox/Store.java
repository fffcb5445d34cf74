package io.castai.events.outbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.castai.events.channels.ConfigurationException;

/**
 * Where the outbox lives, behind one pooled {@link DataSource}: by default a SQLite file under
 * DATA_DIR (one process, no server); with CASTAI_STORE_URL, a PostgreSQL database shared by every
 * replica. The pool hands out working connections only, so a database that went away and came
 * back is used again without a restart.
 */
public final class Store implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final boolean shared;
    private final String description;

    /** The lock files this process holds (a second Store on one of them is refused without touching it). */
    private static final Set<Path> LOCKED_HERE = ConcurrentHashMap.newKeySet();

    /** The SQLite data directory a process owns while it uses it; null for PostgreSQL. */
    private final Path ownedDirectory;
    private FileLock owner;

    private Store(HikariDataSource dataSource, boolean shared, String description, Path ownedDirectory) {
        this.dataSource = dataSource;
        this.shared = shared;
        this.description = description;
        this.ownedDirectory = ownedDirectory;
    }

    /** The single-instance default: {@code castai-events.db} in the data directory. */
    public static Store sqlite(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw ConfigurationException.inSetting("data.dir", "cannot create the data directory " + dataDir + " ("
                    + e.getClass().getSimpleName() + (e instanceof FileAlreadyExistsException ? ": a file of that name is there" : "") + ")");
        }
        if (!Files.isWritable(dataDir)) {
            // said now, in one line, rather than by the route that first takes the directory's lock
            throw notWritable(dataDir);
        }
        Path file = dataDir.resolve("castai-events.db");
        HikariConfig config = new HikariConfig();
        config.setPoolName("outbox");
        config.setJdbcUrl("jdbc:sqlite:" + file);
        // WAL: readers never wait for the writer. FULL: each commit is synced to the disk before
        // the senders of its events are answered (NORMAL survives kill -9, not a node losing power);
        // the writer's group commit makes that one sync for a whole batch
        config.addDataSourceProperty("journal_mode", "WAL");
        config.addDataSourceProperty("synchronous", "FULL");
        config.addDataSourceProperty("busy_timeout", "5000");
        // the WAL is cut back to this after a checkpoint: a burst otherwise left it at its peak size until a restart
        config.addDataSourceProperty("journal_size_limit", String.valueOf(16 * 1024 * 1024));
        // no row ids are read back: without this the driver runs a query after every INSERT for them
        config.addDataSourceProperty("jdbc.get_generated_keys", "false");
        config.setMaximumPoolSize(4);
        // the whole path: the start-up line then says where state is kept
        return new Store(lazily(config), false, file.toAbsolutePath().toString(), dataDir);
    }

    /** A pool that connects on first use: Camel may build a bean twice and keep one. */
    private static HikariDataSource lazily(HikariConfig config) {
        HikariDataSource dataSource = new HikariDataSource();
        config.copyStateTo(dataSource);
        return dataSource;
    }

    /**
     * Called by the outbox as it starts. One process owns a SQLite data directory: a second one (a
     * second pod on the same node's volume, a second container) would void the first one's leases
     * at start and send its deliveries again, so it is refused.
     */
    public synchronized void own() {
        if (ownedDirectory != null && owner == null) {
            owner = lock(ownedDirectory);
        }
    }

    private static FileLock lock(Path dataDir) {
        Path lockFile = lockFileIn(dataDir);
        // checked before a second channel is opened: closing any channel on the file would drop
        // this process's lock (POSIX locks belong to the process)
        if (!LOCKED_HERE.add(lockFile)) {
            throw inUse(dataDir, "this process");
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
            channel.close();
            LOCKED_HERE.remove(lockFile);
            throw inUse(dataDir, "another castai-events process");
        } catch (OverlappingFileLockException e) {
            // held in this process under another path: the channel stays open (closing it would drop that lock)
            LOCKED_HERE.remove(lockFile);
            throw inUse(dataDir, "this process");
        } catch (IOException e) {
            LOCKED_HERE.remove(lockFile);
            if (e instanceof AccessDeniedException) {
                throw notWritable(dataDir);
            }
            throw new UncheckedIOException("cannot lock " + lockFile, e);
        }
    }

    /** A deployment mistake (a volume owned by root, say): start-up names it in one line. */
    private static ConfigurationException notWritable(Path dataDir) {
        return ConfigurationException.inSetting("data.dir", "the data directory " + dataDir + " is not writable by this "
                + "process (user " + System.getProperty("user.name") + "): the image runs as uid 10001; give it the volume "
                + "(fsGroup, or chown)");
    }

    /** A deployment mistake (two pods on one volume, say): start-up names it in one line. */
    private static ConfigurationException inUse(Path dataDir, String by) {
        return ConfigurationException.inSetting("data.dir", "the data directory " + dataDir + " is in use by " + by
                + ": one process owns a SQLite outbox (several replicas share a PostgreSQL one: CASTAI_STORE_URL)");
    }

    /** The lock file's real path (symbolic links resolved): one key however the directory is named. */
    private static Path lockFileIn(Path dataDir) {
        try {
            return dataDir.toRealPath().resolve("castai-events.lock");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve data directory " + dataDir, e);
        }
    }

    private void release() {
        if (owner != null) {
            try {
                owner.channel().close(); // releases the lock
            } catch (IOException ignored) {
                // the process is letting go of it anyway
            }
            LOCKED_HERE.remove(lockFileIn(ownedDirectory));
            owner = null;
        }
    }

    /**
     * PostgreSQL shared by the replicas. A connection is waited for at most {@code connectTimeout}:
     * when the database is unreachable the intake answers 503 quickly instead of hanging.
     */
    public static Store postgres(String url, String username, String password, int poolSize, Duration connectTimeout) {
        if (!url.startsWith("jdbc:postgresql:")) {
            throw ConfigurationException.inSetting("castai.store.url", "must be a jdbc:postgresql: URL");
        }
        // an @ before the query or before its first parameter's =: a password with a /, ? or = in
        // it would end an authority read up to them
        int at = url.indexOf('@');
        if (at >= 0 && (url.indexOf('?') < 0 || at < url.indexOf('?') || at < url.indexOf('='))) {
            // the driver would take "user:password@host" for a host name, and print it in its errors
            throw ConfigurationException.inSetting("castai.store.url", "holds credentials before the host, which the "
                    + "PostgreSQL driver does not read: give them as CASTAI_STORE_USERNAME and CASTAI_STORE_PASSWORD");
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("store");
        config.setJdbcUrl(url);
        config.setUsername(username == null || username.isBlank() ? null : username);
        config.setPassword(password == null || password.isBlank() ? null : password);
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(Math.max(250, connectTimeout.toMillis()));
        config.setValidationTimeout(Math.max(250, Math.min(connectTimeout.toMillis(), 5000)));
        // the pool is built without a connection; the outbox's start then needs one (to migrate),
        // so a replica started while the database is away stops, naming it, and is restarted
        config.setInitializationFailTimeout(-1);
        config.addDataSourceProperty("connectTimeout", String.valueOf(Math.max(1, connectTimeout.toSeconds())));
        config.addDataSourceProperty("socketTimeout", "30");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        // A row locked by a transaction that never ends (a replica cut off from the database
        // mid-write: the server keeps its session until TCP keepalive notices, two hours by
        // default) held every replica's single writer for the socket timeout, again and again:
        // every event a 503. A statement gives up on a lock after 2 s (the writer then commits the
        // rest without it), and the server ends a session idle inside a transaction after 30 s.
        config.addDataSourceProperty("options", "-c lock_timeout=2000 -c idle_in_transaction_session_timeout=30000");
        return new Store(lazily(config), true, "PostgreSQL", null);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * Closes a connection of this store's pool for good instead of handing it back: after a failed
     * write its state may be past mending (SQLite ends a transaction by itself on a full disk, and
     * its driver then runs every statement outside one and fails every commit), and the pool only
     * drops connections whose errors say the link is broken.
     */
    public void evict(Connection connection) {
        dataSource.evictConnection(connection);
    }

    /** True when several replicas share this store (PostgreSQL). */
    public boolean shared() {
        return shared;
    }

    /** For messages: the SQLite file's whole path, or "PostgreSQL" (never the URL: it may hold a password). */
    public String description() {
        return description;
    }

    @Override
    public synchronized void close() {
        dataSource.close();
        release();
    }
}
