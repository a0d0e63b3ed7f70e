package io.hearth.bench;

import io.hearth.SharedMap;
import io.hearth.SharedStore;
import java.time.Duration;
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
 * map.get and map.put of {@link MapBenchmarks}' entry, written with a time to live of an hour,
 * against the same calls on the entry without one: what expiry adds to a call (a deadline read
 * and compared, eight more bytes written). The sweep runs meanwhile, as it does in every store
 * with expiring entries; it finds nothing to remove.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
public class ExpiryBenchmarks {
    static final Duration TIME_TO_LIVE = Duration.ofHours(1);

    @State(Scope.Benchmark)
    public static class Expiring {
        Trial trial;
        SharedMap<Profile> map;
        final Profile value = Profile.sample();

        @Setup(Level.Trial)
        public void setUp() {
            trial = Trial.open("map-ttl", t -> {
                map = t.add(SharedStore.open(t.dir.resolve("store.store"))).map(MapBenchmarks.MAP, Profile.class);
                map.put(MapBenchmarks.KEY, value, TIME_TO_LIVE);
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trial.close();
        }
    }

    @Benchmark
    @Id(value = "map.get.ttl", baseline = "map.get")
    public Profile mapGetExpiring(Expiring state) {
        return state.map.get(MapBenchmarks.KEY);
    }

    @Benchmark
    @Id(value = "map.put.ttl", baseline = "map.put")
    public long mapPutExpiring(Expiring state) {
        return state.map.put(MapBenchmarks.KEY, state.value, TIME_TO_LIVE);
    }
}
