package io.hearth.bench;

import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.StoreStats;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
 * A shared map's get and put among a million ~100-byte entries ({@link Population}), in a default
 * store that grew to hold them (a shard split at a time, as it was written) against a store made
 * for them from the start ({@code expectedEntries(1_100_000)}, no other setting). Both hold the
 * same entries and are read and written in the same order, a key after another a {@link
 * Population#STRIDE} apart, so the difference is what growing left behind: more, smaller shards.
 * The million entries are written once per trial, in setup; put overwrites them, so the store does
 * not grow while it is measured.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
public class GrowthBenchmarks {
    static final String MAP = "profiles";
    /** The expectation of the pre-sized store: the million and a tenth to spare. */
    static final long PRESIZED_ENTRIES = 1_100_000;

    /** A store holding the million entries, and where the next call goes in them. */
    public abstract static class Million {
        Trial trial;
        SharedMap<Profile> map;
        String[] keys;
        final Profile value = Population.value(0); // put writes this everywhere: 111 bytes, as every entry
        private int next;

        void setUp(String name, Function<Path, SharedStore> open) {
            keys = Population.keys(Population.MILLION);
            trial = Trial.open(name, t -> {
                SharedStore store = t.add(open.apply(t.dir.resolve("store.store")));
                map = store.map(MAP, Profile.class);
                long started = System.nanoTime();
                Population.write(map, Population.MILLION);
                StoreStats stats = store.stats();
                System.out.printf("%n%s: wrote %,d entries in %.1f s; %d shards after %d growths, %,d bytes of files%n", name,
                        stats.entries(), (System.nanoTime() - started) / 1e9, stats.generation(), stats.growths(), stats.fileBytes());
            });
        }

        String nextKey() {
            next += Population.STRIDE;
            if (next >= keys.length) {
                next -= keys.length;
            }
            return keys[next];
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trial.close();
        }
    }

    /** A default store ({@code SharedStore.open(path)}) that grew as the million were written. */
    @State(Scope.Benchmark)
    public static class Grown extends Million {
        @Setup(Level.Trial)
        public void setUp() {
            setUp("grown", SharedStore::open);
        }
    }

    /** A store made for the million: {@code expectedEntries(1_100_000)}, so it never grew. */
    @State(Scope.Benchmark)
    public static class Presized extends Million {
        @Setup(Level.Trial)
        public void setUp() {
            setUp("presized", path -> SharedStore.builder(path).expectedEntries(PRESIZED_ENTRIES).open());
        }
    }

    @Benchmark
    @Id(value = "map.get.grown", baseline = "map.get.presized")
    public Profile mapGetGrown(Grown state) {
        return state.map.get(state.nextKey());
    }

    @Benchmark
    @Id(value = "map.get.presized", baseline = "map.get")
    public Profile mapGetPresized(Presized state) {
        return state.map.get(state.nextKey());
    }

    @Benchmark
    @Id(value = "map.put.grown", baseline = "map.put.presized")
    public long mapPutGrown(Grown state) {
        return state.map.put(state.nextKey(), state.value);
    }

    @Benchmark
    @Id(value = "map.put.presized", baseline = "map.put")
    public long mapPutPresized(Presized state) {
        return state.map.put(state.nextKey(), state.value);
    }
}
