package io.hearth.file;

import io.hearth.bench.Dirs;
import io.hearth.bench.Id;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the expiry sweep costs per entry it examines: a lap over every segment of a default store
 * holding 100,000 entries of ~100 bytes that expire in an hour, so the sweep examines each and
 * removes none (the steady state of a store with expiring entries; a removal adds a journaled
 * remove). In package io.hearth.file because the lap ({@link FileBackend#sweepLap}) is not API.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
public class SweepBenchmarks {
    static final int ENTRIES = 100_000;

    @State(Scope.Benchmark)
    public static class Store {
        Path dir;
        FileBackend backend;

        @Setup(Level.Trial)
        public void setUp() {
            dir = Dirs.fresh("sweep");
            backend = (FileBackend) new FileBackendProvider().open(dir.resolve("sweep.store").toUri(), StoreOptions.DEFAULTS);
            long expiresAt = System.currentTimeMillis() + Duration.ofHours(1).toMillis();
            for (int i = 0; i < ENTRIES; i++) {
                byte[] json = ("{\"key\":\"k-" + i + "\",\"payload\":\"" + "x".repeat(80) + "\"}").getBytes(StandardCharsets.UTF_8);
                backend.write("cache", "k-" + i, StoreBackend.ANY, json, expiresAt);
            }
            SweepStep lap = backend.sweepLap(System.currentTimeMillis());
            if (lap.examined() != ENTRIES || lap.removed() != 0) {
                throw new IllegalStateException("a lap examined " + lap.examined() + " entries and removed " + lap.removed()
                        + "; expected " + ENTRIES + " and 0");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            backend.close();
            Dirs.delete(dir);
        }
    }

    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    @Id("sweep.examine.entry")
    public SweepStep sweepLapPerEntry(Store state) {
        return state.backend.sweepLap(System.currentTimeMillis());
    }
}
