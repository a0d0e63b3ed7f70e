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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One-way latency from this process to another through the store: write "ping", spin until a
 * helper JVM that spins on "ping" has echoed it into "pong". One invocation is a round trip, two
 * one-way trips, so JMH divides by two ({@code @OperationsPerInvocation(2)}). Both sides wait
 * with {@link Spin}, the same for Hearth and the floor.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
public class PingPongBenchmarks {
    @State(Scope.Benchmark)
    public static class Hearth {
        Trial trial;
        SharedCounter ping;
        SharedCounter pong;
        HelperProcess echo;
        long sent;

        @Setup(Level.Trial)
        public void setUp() {
            trial = Trial.open("pingpong", t -> {
                SharedStore store = t.add(SharedStore.open(t.dir.resolve("store.store")));
                ping = store.counter("ping");
                pong = store.counter("pong");
                echo = t.partner(HelperProcess.start("echo", t.dir.resolve("store.store").toString()));
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
        HelperProcess echo;
        long sent;

        @Setup(Level.Trial)
        public void setUp() {
            trial = Trial.open("raw-pingpong", t -> {
                mmap = RawMmap.open(t.dir.resolve("raw.mmap"));
                echo = t.partner(HelperProcess.start("raw-echo", t.dir.resolve("raw.mmap").toString()));
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trial.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(2)
    @Id(value = "visibility.pingpong", baseline = "raw.mmap.pingpong")
    public long pingPong(Hearth state) {
        long n = ++state.sent;
        state.ping.set(n);
        for (int spins = 0; state.pong.get() != n; spins++) {
            Spin.pause(spins, state.echo);
        }
        return n;
    }

    /** The floor uses release/acquire, the least ordering a ping-pong needs (Hearth's set and get are volatile). */
    @Benchmark
    @OperationsPerInvocation(2)
    @Id("raw.mmap.pingpong")
    public long rawPingPong(Raw state) {
        long n = ++state.sent;
        state.mmap.setRelease(RawMmap.A, n);
        for (int spins = 0; state.mmap.getAcquire(RawMmap.B) != n; spins++) {
            Spin.pause(spins, state.echo);
        }
        return n;
    }
}
