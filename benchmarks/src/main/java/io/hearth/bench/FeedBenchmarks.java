package io.hearth.bench;

import io.hearth.SharedCounter;
import io.hearth.SharedMap;
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

/**
 * The change feed's latency from a write to a listener in another process, on the file store:
 * this process puts a number into map "feed", a helper JVM watching the map ({@code SharedMap.watch})
 * sets counter "pong" to it from its listener, and this process spins until it sees it. One
 * invocation is one delivery through the feed plus one counter's trip back, which
 * {@code visibility.pingpong} (the baseline) measures alone.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
public class FeedBenchmarks {
    @State(Scope.Benchmark)
    public static class Feed {
        Trial trial;
        SharedMap<Long> feed;
        SharedCounter pong;
        HelperProcess watcher;
        long sent;

        @Setup(Level.Trial)
        public void setUp() {
            trial = Trial.open("feed", t -> {
                SharedStore store = t.add(SharedStore.open(t.dir.resolve("store.store")));
                feed = store.map("feed", Long.class);
                pong = store.counter("pong");
                watcher = t.partner(HelperProcess.start("feed-echo", t.dir.resolve("store.store").toString()));
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trial.close();
        }
    }

    @Benchmark
    @Id(value = "feed.roundtrip", baseline = "visibility.pingpong")
    public long writeToListenerAndBack(Feed state) {
        long n = ++state.sent;
        state.feed.put("ping", n);
        for (int spins = 0; state.pong.get() != n; spins++) {
            Spin.pause(spins, state.watcher);
        }
        return n;
    }
}
