package io.hearth.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/**
 * LMDB through LmdbJava, as a JVM engineer would use it in place of Hearth: one environment in a
 * directory, one database of JSON objects (the {@link Profile} as Jackson writes it, with the
 * mapper a Hearth store uses by default) and one of 8-byte counters. Every write is one write
 * transaction, committed without an fsync ({@link EnvFlags#MDB_NOSYNC}: Hearth syncs nothing
 * either); every read is one read transaction. LMDB serialises write transactions across
 * processes with the mutex in its lock file, so an update or an increment is atomic against a
 * second process. The same code serves {@link PeerBenchmarks} and the contending {@link Helper}.
 */
final class LmdbPeer implements PeerStore {
    /** LmdbJava reaches into java.nio's buffers; Chronicle's options do not include these. */
    static final String OPEN_NIO = "--add-opens=java.base/java.nio=ALL-UNNAMED";
    static final String OPEN_NIO_CH = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    static final List<String> JVM_OPTIONS = List.of(OPEN_NIO, OPEN_NIO_CH);

    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> objects;
    private final Dbi<ByteBuffer> counters;
    private final ObjectMapper mapper = new ObjectMapper();
    private final ByteBuffer key = direct(PeerBenchmarks.KEY);
    private final ByteBuffer counterKey = direct(PeerBenchmarks.COUNTER);
    private final ByteBuffer value = ByteBuffer.allocateDirect(1024);
    private final ByteBuffer count = ByteBuffer.allocateDirect(Long.BYTES).order(ByteOrder.BIG_ENDIAN);

    private LmdbPeer(Env<ByteBuffer> env) {
        this.env = env;
        this.objects = env.openDbi("objects", DbiFlags.MDB_CREATE);
        this.counters = env.openDbi("counters", DbiFlags.MDB_CREATE);
    }

    /** Opens (or makes) the environment in dir/lmdb: 64 MiB of map, two databases, no fsync per commit. */
    static LmdbPeer open(Path dir) {
        File home = dir.resolve("lmdb").toFile();
        if (!home.isDirectory() && !home.mkdirs()) {
            throw new IllegalStateException("cannot make " + home);
        }
        Env<ByteBuffer> env = Env.create().setMapSize(64L << 20).setMaxDbs(2).open(home, EnvFlags.MDB_NOSYNC);
        try {
            return new LmdbPeer(env);
        } catch (RuntimeException e) {
            env.close();
            throw e;
        }
    }

    /** The object's bytes in a read transaction, decoded by Jackson. */
    @Override
    public Profile get() {
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            return decode(objects.get(txn, key));
        }
    }

    /** Jackson's bytes of the object written in a write transaction of their own. */
    @Override
    public void put(Profile profile) {
        byte[] json = PeerStore.encode(mapper, profile);
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            write(txn, json);
            txn.commit();
        }
    }

    /** Read, decode, change, encode and write, in one write transaction. */
    @Override
    public Profile update(UnaryOperator<Profile> change) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            Profile next = change.apply(decode(objects.get(txn, key)));
            write(txn, PeerStore.encode(mapper, next));
            txn.commit();
            return next;
        }
    }

    /** Read the long, add one, write it, in one write transaction; a missing counter is 0. */
    @Override
    public long increment() {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            ByteBuffer found = counters.get(txn, counterKey);
            long next = (found == null ? 0 : found.order(ByteOrder.BIG_ENDIAN).getLong(0)) + 1;
            count.putLong(0, next);
            counters.put(txn, counterKey, count);
            txn.commit();
            return next;
        }
    }

    private void write(Txn<ByteBuffer> txn, byte[] json) {
        value.clear();
        value.put(json).flip();
        objects.put(txn, key, value);
    }

    /** Copies the bytes out of the map before the transaction ends (as Chronicle's get does), then decodes them. */
    private Profile decode(ByteBuffer found) {
        if (found == null) {
            throw new IllegalStateException("LMDB holds no " + PeerBenchmarks.KEY);
        }
        byte[] bytes = new byte[found.remaining()];
        found.get(bytes);
        return PeerStore.decode(mapper, bytes);
    }

    private static ByteBuffer direct(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    @Override
    public void close() {
        env.close();
    }
}
