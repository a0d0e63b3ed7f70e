package io.hearth.file;

import io.hearth.bench.Dirs;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoreOptions;
import io.hearth.spi.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * The read cache's hit paths in parts, for finding where the time goes (not part of run.sh's
 * report): the change stamp, the version look-up, a whole get, and the pieces of Chronicle's and
 * Hearth's look-ups. Run by hand: {@code java -jar benchmarks/target/benchmarks.jar HitPathProbe}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HitPathProbe {
    @State(Scope.Benchmark)
    public static class Store {
        Path dir;
        FileBackend backend;
        long version;
        String composite = CompositeKeys.of("profiles", "user-42");
        net.openhft.chronicle.map.ChronicleMap<String, byte[]> chronicle;
        EntryShards shards;

        @Setup(Level.Trial)
        public void setUp() {
            dir = Dirs.fresh("probe");
            backend = (FileBackend) new FileBackendProvider().open(dir.resolve("p.store").toUri(), StoreOptions.DEFAULTS);
            byte[] json = ("{\"id\":\"user-42\",\"payload\":\"" + "x".repeat(80) + "\"}").getBytes(StandardCharsets.UTF_8);
            version = backend.write("profiles", "user-42", StoreBackend.ANY, json, 0);
            try {
                var f = FileBackend.class.getDeclaredField("shards");
                f.setAccessible(true);
                shards = (EntryShards) f.get(backend);
                chronicle = shards.forKey(composite, shards.routing()).map();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            backend.close();
            Dirs.delete(dir);
        }
    }

    @Benchmark
    public StoredEntry backendGetIfChanged(Store s) {
        return s.backend.getIfChanged("profiles", "user-42", s.version, StoreBackend.NO_EXPIRY);
    }

    @Benchmark
    public long backendChangeStamp(Store s) {
        return s.backend.changeStamp();
    }

    @Benchmark
    public StoredEntry backendGet(Store s) {
        return s.backend.get("profiles", "user-42");
    }

    @Benchmark
    public long chronicleReadLockVersion(Store s) {
        try (var c = s.chronicle.queryContext(s.composite)) {
            c.readLock().lock();
            var e = c.entry();
            return EntryValue.version(e.value());
        }
    }

    @Benchmark
    public long chronicleUpdateLockVersion(Store s) {
        try (var c = s.chronicle.queryContext(s.composite)) {
            c.updateLock().lock();
            var e = c.entry();
            return EntryValue.version(e.value());
        }
    }

    @Benchmark
    public int chronicleContextOnly(Store s) {
        try (var c = s.chronicle.queryContext(s.composite)) {
            return c.segmentIndex();
        }
    }

    @Benchmark
    public boolean chronicleEntryNoValue(Store s) {
        try (var c = s.chronicle.queryContext(s.composite)) {
            c.readLock().lock();
            return c.entry() != null;
        }
    }

    @Benchmark
    public long chronicleValueSize(Store s) {
        try (var c = s.chronicle.queryContext(s.composite)) {
            c.readLock().lock();
            return c.entry().value().size();
        }
    }

    @Benchmark
    public boolean chronicleContainsKey(Store s) {
        return s.chronicle.containsKey(s.composite);
    }

    @Benchmark
    public byte[] chronicleGet(Store s) {
        return s.chronicle.get(s.composite);
    }

    @Benchmark
    public Object shardForKey(Store s) {
        return s.shards.forKey(s.composite, s.shards.routing());
    }

    @Benchmark
    public int segmentOf(Store s) {
        return KeySegments.segmentOf(s.chronicle, s.composite);
    }

    @Benchmark
    public String compositeKey(Store s) {
        return CompositeKeys.of("profiles", "user-42");
    }
}
