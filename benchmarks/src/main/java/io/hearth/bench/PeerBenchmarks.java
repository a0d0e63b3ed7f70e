package io.hearth.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The stores a JVM engineer would pick instead of Hearth, doing what {@link MapBenchmarks} and
 * {@link CounterBenchmarks} do, in the same run: LMDB through LmdbJava ({@link LmdbPeer}: one write
 * transaction per write, {@code MDB_NOSYNC}) and SQLite through sqlite-jdbc ({@link SqlitePeer}:
 * {@code journal_mode=WAL}, {@code synchronous=OFF}, prepared statements reused), with the same
 * ~100-byte {@link Profile} and the same Jackson mapper. get reads the bytes and decodes them;
 * put encodes and writes; update reads, decodes, changes a field, encodes and writes in one
 * transaction; counter.increment reads a long, adds one and writes it in one transaction. The
 * contended variants run while a {@link Helper} JVM does the same operation on the same file as
 * fast as it can. Each baseline is the matching Hearth id, so a ratio is the peer ÷ Hearth.
 *
 * <p>LmdbJava needs java.nio opened to it, in the forks here and in the helpers (Bench's options
 * are Chronicle's); they come first so that they are there whatever Bench appends.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsPrepend = {LmdbPeer.OPEN_NIO, LmdbPeer.OPEN_NIO_CH})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
public class PeerBenchmarks {
    /** The object's key, as in the Hearth map benchmarks. */
    static final String KEY = MapBenchmarks.KEY;
    /** The counter's key. */
    static final String COUNTER = "hits";
    /** What a contended helper does: its op is the id's middle, as in "lmdb.update.contended". */
    static final String UPDATE = "update";
    static final String INCREMENT = "counter.increment";

    /**
     * A peer open in a fresh directory with the object written, for one trial; when contended is an op, a helper JVM
     * does that op on the same store for the whole trial, recorded under the id kind.op.contended. Each state below
     * names its peer and what contends with it.
     */
    @State(Scope.Benchmark)
    public abstract static class Peer {
        private final PeerStore.Kind kind;
        private final String contended;
        Trial trial;
        PeerStore store;
        final Profile value = Profile.sample();

        Peer(PeerStore.Kind kind, String contended) {
            this.kind = kind;
            this.contended = contended;
        }

        @Setup(Level.Trial)
        public void setUp() {
            String name = kind.id + (contended == null ? "" : "-" + contended.replace('.', '-') + "-contended");
            trial = Trial.open(name, t -> {
                store = t.add(kind.open(t.dir));
                store.put(value);
                if (contended != null) {
                    Runnable operation = contended.equals(UPDATE) ? () -> store.update(Profile::visited) : store::increment;
                    t.contender(kind.id + "." + contended + ".contended", operation,
                            () -> HelperProcess.start(kind.jvmOptions, "peer", t.dir.toString(), kind.id, contended));
                }
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trial.close();
        }
    }

    public static class Lmdb extends Peer {
        public Lmdb() {
            super(PeerStore.Kind.LMDB, null);
        }
    }

    /** The same object while a helper JVM updates it as fast as it can. */
    public static class LmdbUpdateContended extends Peer {
        public LmdbUpdateContended() {
            super(PeerStore.Kind.LMDB, UPDATE);
        }
    }

    /** The same counter while a helper JVM increments it as fast as it can. */
    public static class LmdbIncrementContended extends Peer {
        public LmdbIncrementContended() {
            super(PeerStore.Kind.LMDB, INCREMENT);
        }
    }

    public static class Sqlite extends Peer {
        public Sqlite() {
            super(PeerStore.Kind.SQLITE, null);
        }
    }

    /** The same row while a helper JVM updates it as fast as it can. */
    public static class SqliteUpdateContended extends Peer {
        public SqliteUpdateContended() {
            super(PeerStore.Kind.SQLITE, UPDATE);
        }
    }

    /** The same counter row while a helper JVM increments it as fast as it can. */
    public static class SqliteIncrementContended extends Peer {
        public SqliteIncrementContended() {
            super(PeerStore.Kind.SQLITE, INCREMENT);
        }
    }

    @Benchmark
    @Id(value = "lmdb.get", baseline = "map.get")
    public Profile lmdbGet(Lmdb state) {
        return state.store.get();
    }

    @Benchmark
    @Id(value = "lmdb.put", baseline = "map.put")
    public void lmdbPut(Lmdb state) {
        state.store.put(state.value);
    }

    @Benchmark
    @Id(value = "lmdb.update", baseline = "map.update")
    public Profile lmdbUpdate(Lmdb state) {
        return state.store.update(Profile::visited);
    }

    @Benchmark
    @Id(value = "lmdb.counter.increment", baseline = "counter.increment.1proc")
    public long lmdbIncrement(Lmdb state) {
        return state.store.increment();
    }

    @Benchmark
    @Id(value = "lmdb.update.contended", baseline = "map.update.contended")
    public Profile lmdbUpdateContended(LmdbUpdateContended state) {
        return state.store.update(Profile::visited);
    }

    @Benchmark
    @Id(value = "lmdb.counter.increment.contended", baseline = "counter.increment.contended")
    public long lmdbIncrementContended(LmdbIncrementContended state) {
        return state.store.increment();
    }

    @Benchmark
    @Id(value = "sqlite.get", baseline = "map.get")
    public Profile sqliteGet(Sqlite state) {
        return state.store.get();
    }

    @Benchmark
    @Id(value = "sqlite.put", baseline = "map.put")
    public void sqlitePut(Sqlite state) {
        state.store.put(state.value);
    }

    @Benchmark
    @Id(value = "sqlite.update", baseline = "map.update")
    public Profile sqliteUpdate(Sqlite state) {
        return state.store.update(Profile::visited);
    }

    @Benchmark
    @Id(value = "sqlite.counter.increment", baseline = "counter.increment.1proc")
    public long sqliteIncrement(Sqlite state) {
        return state.store.increment();
    }

    @Benchmark
    @Id(value = "sqlite.update.contended", baseline = "map.update.contended")
    public Profile sqliteUpdateContended(SqliteUpdateContended state) {
        return state.store.update(Profile::visited);
    }

    @Benchmark
    @Id(value = "sqlite.counter.increment.contended", baseline = "counter.increment.contended")
    public long sqliteIncrementContended(SqliteIncrementContended state) {
        return state.store.increment();
    }
}
