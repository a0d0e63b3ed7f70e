package io.hearth.bench;

import io.hearth.SharedCounter;
import io.hearth.SharedStore;
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

/** A shared counter's increment against the same atomic add on a bare mapped file, alone and contended. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
public class CounterBenchmarks {

    @State(Scope.Benchmark)
    public static class Hearth {
        Trial trial;
        SharedCounter counter;

        @Setup(Level.Trial)
        public void setUp() {
            trial = Trial.open("counter", t -> counter = t.add(SharedStore.open(t.dir.resolve("store.store"))).counter("hits"));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trial.close();
        }
    }

    /** The same counter while a helper JVM increments it as fast as it can. */
    @State(Scope.Benchmark)
    public static class HearthContended {
        Trial trial;
        SharedCounter counter;

        @Setup(Level.Trial)
        public void setUp() {
            trial = Trial.open("counter-contended", t -> {
                counter = t.add(SharedStore.open(t.dir.resolve("store.store"))).counter("hits");
                t.contender("counter.increment.contended", counter::incrementAndGet,
                        () -> HelperProcess.start("counter", t.dir.resolve("store.store").toString(), "hits"));
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
        RawMmap mmap;

        @Setup(Level.Trial)
        public void setUp() {
            trial = Trial.open("raw-mmap", t -> mmap = RawMmap.open(t.dir.resolve("raw.mmap")));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trial.close();
        }
    }

    /** The bare mapped long while a helper JVM adds to it as fast as it can. */
    @State(Scope.Benchmark)
    public static class RawContended {
        Trial trial;
        RawMmap mmap;

        @Setup(Level.Trial)
        public void setUp() {
            trial = Trial.open("raw-mmap-contended", t -> {
                mmap = RawMmap.open(t.dir.resolve("raw.mmap"));
                t.contender("raw.mmap.getAndAdd.contended", () -> mmap.getAndAdd(RawMmap.A, 1),
                        () -> HelperProcess.start("raw-add", t.dir.resolve("raw.mmap").toString()));
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trial.close();
        }
    }

    @Benchmark
    @Id(value = "counter.increment.1proc", baseline = "raw.mmap.getAndAdd.1proc")
    public long counterIncrement(Hearth state) {
        return state.counter.incrementAndGet();
    }

    @Benchmark
    @Id("raw.mmap.getAndAdd.1proc")
    public long rawGetAndAdd(Raw state) {
        return state.mmap.getAndAdd(RawMmap.A, 1);
    }

    @Benchmark
    @Id(value = "counter.increment.contended", baseline = "raw.mmap.getAndAdd.contended")
    public long counterIncrementContended(HearthContended state) {
        return state.counter.incrementAndGet();
    }

    @Benchmark
    @Id("raw.mmap.getAndAdd.contended")
    public long rawGetAndAddContended(RawContended state) {
        return state.mmap.getAndAdd(RawMmap.A, 1);
    }
}
