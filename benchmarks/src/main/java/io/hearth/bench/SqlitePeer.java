package io.hearth.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.UnaryOperator;

/**
 * SQLite through org.xerial's sqlite-jdbc, as a JVM engineer would use it in place of Hearth: one
 * file, one connection per process, {@code journal_mode=WAL} and {@code synchronous=OFF} (no fsync
 * at all, as Hearth does none), a table {@code objects (k TEXT PRIMARY KEY, v BLOB)} of JSON
 * objects (the {@link Profile} as Jackson writes it, with the mapper a Hearth store uses by
 * default) and one {@code counters (k TEXT PRIMARY KEY, n INTEGER)}. Every statement is prepared
 * once and reused. A get and a put are one statement each, so one implicit transaction; an update
 * and an increment are a select and an update in one {@code BEGIN IMMEDIATE} transaction, which
 * takes the write lock first, so a second process waits (its {@code busy_timeout}) instead of
 * failing its commit. The same code serves {@link PeerBenchmarks} and the contending {@link Helper}.
 */
final class SqlitePeer implements PeerStore {
    private final Connection connection;
    private final ObjectMapper mapper = new ObjectMapper();
    private final PreparedStatement select;
    private final PreparedStatement upsert;
    private final PreparedStatement rewrite;
    private final PreparedStatement selectCount;
    private final PreparedStatement rewriteCount;
    private final PreparedStatement begin;
    private final PreparedStatement commit;
    private final PreparedStatement rollback;

    private SqlitePeer(Connection connection) throws SQLException {
        this.connection = connection;
        try (Statement setUp = connection.createStatement()) {
            try (ResultSet mode = setUp.executeQuery("PRAGMA journal_mode=WAL")) {
                if (!mode.next() || !mode.getString(1).equalsIgnoreCase("wal")) {
                    throw new IllegalStateException("SQLite did not switch to WAL");
                }
            }
            setUp.execute("PRAGMA synchronous=OFF");
            setUp.execute("PRAGMA busy_timeout=60000"); // a contended writer waits, it does not fail
            setUp.execute("CREATE TABLE IF NOT EXISTS objects (k TEXT PRIMARY KEY, v BLOB)");
            setUp.execute("CREATE TABLE IF NOT EXISTS counters (k TEXT PRIMARY KEY, n INTEGER)");
            setUp.execute("INSERT OR IGNORE INTO counters (k, n) VALUES ('" + PeerBenchmarks.COUNTER + "', 0)");
        }
        select = connection.prepareStatement("SELECT v FROM objects WHERE k = ?");
        upsert = connection.prepareStatement("INSERT INTO objects (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v");
        rewrite = connection.prepareStatement("UPDATE objects SET v = ? WHERE k = ?");
        selectCount = connection.prepareStatement("SELECT n FROM counters WHERE k = ?");
        rewriteCount = connection.prepareStatement("UPDATE counters SET n = ? WHERE k = ?");
        begin = connection.prepareStatement("BEGIN IMMEDIATE");
        commit = connection.prepareStatement("COMMIT");
        rollback = connection.prepareStatement("ROLLBACK");
        select.setString(1, PeerBenchmarks.KEY);
        upsert.setString(1, PeerBenchmarks.KEY);
        rewrite.setString(2, PeerBenchmarks.KEY);
        selectCount.setString(1, PeerBenchmarks.COUNTER);
        rewriteCount.setString(2, PeerBenchmarks.COUNTER);
    }

    /** Opens (or makes) the database in the file dir/peer.sqlite. */
    static SqlitePeer open(Path dir) {
        Path file = dir.resolve("peer.sqlite");
        try {
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            try {
                return new SqlitePeer(connection);
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("opening SQLite in " + file + ": " + e.getMessage(), e);
        }
    }

    /** The object's bytes by one select, decoded by Jackson. */
    @Override
    public Profile get() {
        try {
            return PeerStore.decode(mapper, read());
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** Jackson's bytes of the object written by one insert-or-update. */
    @Override
    public void put(Profile profile) {
        try {
            upsert.setBytes(2, PeerStore.encode(mapper, profile));
            upsert.executeUpdate();
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** Select, decode, change, encode and update, in one immediate transaction. */
    @Override
    public Profile update(UnaryOperator<Profile> change) {
        return inTransaction(() -> {
            Profile next = change.apply(PeerStore.decode(mapper, read()));
            rewrite.setBytes(1, PeerStore.encode(mapper, next));
            rewrite.executeUpdate();
            return next;
        });
    }

    /** Select the long, add one, update it, in one immediate transaction. */
    @Override
    public long increment() {
        return inTransaction(() -> {
            long next;
            try (ResultSet row = selectCount.executeQuery()) {
                if (!row.next()) {
                    throw new IllegalStateException("SQLite holds no counter " + PeerBenchmarks.COUNTER);
                }
                next = row.getLong(1) + 1;
            }
            rewriteCount.setLong(1, next);
            rewriteCount.executeUpdate();
            return next;
        });
    }

    private interface Work<T> {
        T run() throws SQLException;
    }

    private <T> T inTransaction(Work<T> work) {
        try {
            begin.execute();
            T result;
            try {
                result = work.run();
            } catch (SQLException | RuntimeException e) {
                rollback.execute();
                throw e;
            }
            commit.execute();
            return result;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private byte[] read() throws SQLException {
        try (ResultSet row = select.executeQuery()) {
            if (!row.next()) {
                throw new IllegalStateException("SQLite holds no " + PeerBenchmarks.KEY);
            }
            return row.getBytes(1);
        }
    }

    private static IllegalStateException failed(SQLException e) {
        return new IllegalStateException("SQLite: " + e.getMessage(), e);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw failed(e);
        }
    }
}
