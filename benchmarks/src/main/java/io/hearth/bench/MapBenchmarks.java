package io.hearth.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.map.ChronicleMap;
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
 * A shared map's get, put and update of one ~100-byte JSON object, against Chronicle Map used
 * directly with a byte[] of the same size under the same key. map.get is served from the read
 * cache (the store still checks the entry's version on each call); map.get.uncached is the same
 * read in a store opened with the cache off, which copies and decodes the JSON every time. The
 * json.* figures are the Jackson share of Hearth's cost, measured in the same run to explain the ratios.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
public class MapBenchmarks {
    static final String MAP = "profiles";
    static final String KEY = "user-42";

    /** The JSON Hearth stores for the sample, so the raw floor stores as many bytes. */
    static byte[] sampleJson() {
        try {
            return new ObjectMapper().writeValueAsBytes(Profile.sample());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @State(Scope.Benchmark)
    public static class Hearth {
        Trial trial;
        SharedMap<Profile> map;
        final Profile value = Profile.sample();

        @Setup(Level.Trial)
        public void setUp() {
            trial = Trial.open("map", t -> {
                map = t.add(SharedStore.open(t.dir.resolve("store.store"))).map(MAP, Profile.class);
                map.put(KEY, value);
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trial.close();
        }
    }

    /** The same entry in a store whose read cache is off: every get copies and decodes the JSON. */
    @State(Scope.Benchmark)
    public static class HearthUncached {
        Trial trial;
        SharedMap<Profile> map;

        @Setup(Level.Trial)
        public void setUp() {
            trial = Trial.open("map-uncached", t -> {
                map = t.add(SharedStore.builder(t.dir.resolve("store.store")).readCacheBytes(0).open()).map(MAP, Profile.class);
                map.put(KEY, Profile.sample());
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trial.close();
        }
    }

    /** The same entry while a helper JVM updates it as fast as it can. */
    @State(Scope.Benchmark)
    public static class HearthContended {
        Trial trial;
        SharedMap<Profile> map;

        @Setup(Level.Trial)
        public void setUp() {
            trial = Trial.open("map-contended", t -> {
                map = t.add(SharedStore.open(t.dir.resolve("store.store"))).map(MAP, Profile.class);
                map.put(KEY, Profile.sample());
                t.contender("map.update.contended", () -> map.update(KEY, Profile::visited),
                        () -> HelperProcess.start("map-update", t.dir.resolve("store.store").toString(), MAP, KEY));
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trial.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Raw {
        Trial trial;
        ChronicleMap<String, byte[]> map;
        final byte[] value = sampleJson();

        @Setup(Level.Trial)
        public void setUp() {
            trial = Trial.open("raw-chronicle", t -> {
                map = t.add(RawChronicle.open(t.dir.resolve("raw.chronicle").toFile(), RawChronicle.BENCHMARK_ENTRIES, KEY, value.length));
                map.put(KEY, value);
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trial.close();
        }
    }

    /** The raw entry while a helper JVM read-modify-writes it as fast as it can. */
    @State(Scope.Benchmark)
    public static class RawContended {
        Trial trial;
        ChronicleMap<String, byte[]> map;

        @Setup(Level.Trial)
        public void setUp() {
            byte[] value = sampleJson();
            trial = Trial.open("raw-chronicle-contended", t -> {
                map = t.add(RawChronicle.open(t.dir.resolve("raw.chronicle").toFile(), RawChronicle.BENCHMARK_ENTRIES, KEY, value.length));
                map.put(KEY, value);
                t.contender("raw.chronicle.rmw.contended", () -> RawChronicle.rmw(map, KEY), () -> HelperProcess.start("raw-rmw",
                        t.dir.resolve("raw.chronicle").toString(), KEY, Integer.toString(value.length)));
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trial.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Json {
        final ObjectMapper mapper = new ObjectMapper(); // what a store uses by default
        final Profile value = Profile.sample();
        final byte[] json = sampleJson();
    }

    @Benchmark
    @Id(value = "map.get", baseline = "raw.chronicle.get")
    public Profile mapGet(Hearth state) {
        return state.map.get(KEY);
    }

    @Benchmark
    @Id(value = "map.get.uncached", baseline = "raw.chronicle.get")
    public Profile mapGetUncached(HearthUncached state) {
        return state.map.get(KEY);
    }

    @Benchmark
    @Id("raw.chronicle.get")
    public byte[] rawGet(Raw state) {
        return state.map.get(KEY);
    }

    @Benchmark
    @Id(value = "map.put", baseline = "raw.chronicle.put")
    public long mapPut(Hearth state) {
        return state.map.put(KEY, state.value);
    }

    @Benchmark
    @Id("raw.chronicle.put")
    public void rawPut(Raw state) {
        state.map.put(KEY, state.value);
    }

    @Benchmark
    @Id(value = "map.update", baseline = "raw.chronicle.rmw")
    public Profile mapUpdate(Hearth state) {
        return state.map.update(KEY, Profile::visited);
    }

    @Benchmark
    @Id("raw.chronicle.rmw")
    public long rawRmw(Raw state) {
        return RawChronicle.rmw(state.map, KEY);
    }

    @Benchmark
    @Id(value = "map.update.contended", baseline = "raw.chronicle.rmw.contended")
    public Profile mapUpdateContended(HearthContended state) {
        return state.map.update(KEY, Profile::visited);
    }

    @Benchmark
    @Id("raw.chronicle.rmw.contended")
    public long rawRmwContended(RawContended state) {
        return RawChronicle.rmw(state.map, KEY);
    }

    @Benchmark
    @Id("json.decode")
    public Profile jsonDecode(Json state) throws IOException {
        return state.mapper.readValue(state.json, Profile.class);
    }

    @Benchmark
    @Id("json.encode")
    public byte[] jsonEncode(Json state) throws IOException {
        return state.mapper.writeValueAsBytes(state.value);
    }
}
