package io.hearth.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import redis.clients.jedis.Jedis;

/**
 * The same operations through Jedis (one plain connection, no pool: one thread) to a local
 * redis-server on loopback, whose port run.sh passes as -Dhearth.redis.port. get and set include
 * the JSON decode and encode, as Hearth's map.get and map.put do, so both give the caller an object.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
public class RedisBenchmarks {
    private static final byte[] KEY = ("profiles:" + MapBenchmarks.KEY).getBytes(StandardCharsets.UTF_8);

    @State(Scope.Benchmark)
    public static class Redis {
        Jedis jedis;
        final ObjectMapper mapper = new ObjectMapper();
        final Profile value = Profile.sample();

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            jedis = new Jedis("127.0.0.1", LockBenchmarks.Redis.port());
            jedis.set(KEY, mapper.writeValueAsBytes(value));
            jedis.set("hits", "0");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            jedis.close();
        }
    }

    @Benchmark
    @Id(value = "redis.incr", baseline = "counter.increment.1proc")
    public long incr(Redis state) {
        return state.jedis.incr("hits");
    }

    @Benchmark
    @Id(value = "redis.get", baseline = "map.get")
    public Profile get(Redis state) throws IOException {
        return state.mapper.readValue(state.jedis.get(KEY), Profile.class);
    }

    @Benchmark
    @Id(value = "redis.set", baseline = "map.put")
    public String set(Redis state) throws IOException {
        return state.jedis.set(KEY, state.mapper.writeValueAsBytes(state.value));
    }
}
