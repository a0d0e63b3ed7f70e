package io.hearth.bench;

import io.hearth.SharedLock;
import io.hearth.SharedStore;
import java.net.URI;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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
import redis.clients.jedis.params.SetParams;

/**
 * An uncontended lock and unlock, one thread: Hearth's {@link SharedLock} on the file store against
 * a {@link ReentrantLock} in one process (what a lock across processes costs over one inside a
 * process), and on Redis against the lock users write by hand on Redis, {@code SET key token NX PX}
 * then a script that deletes the key only if it still holds the token, through Jedis on one plain
 * connection. Redis runs on loopback at the port run.sh passes as -Dhearth.redis.port.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
public class LockBenchmarks {
    /** The compare-and-delete that makes a SET NX lock safe to release (Redis's documented pattern). */
    private static final String UNLOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    @State(Scope.Benchmark)
    public static class FileLock {
        Trial trial;
        SharedLock lock;

        @Setup(Level.Trial)
        public void setUp() {
            trial = Trial.open("lock", t -> lock = t.add(SharedStore.open(t.dir.resolve("store.store"))).lock("job"));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trial.close();
        }
    }

    @State(Scope.Benchmark)
    public static class LocalLock {
        final ReentrantLock lock = new ReentrantLock();
    }

    @State(Scope.Benchmark)
    public static class RedisLock {
        SharedStore store;
        SharedLock lock;

        @Setup(Level.Trial)
        public void setUp() {
            store = SharedStore.open(URI.create("redis://127.0.0.1:" + Redis.port() + "/0?prefix=bench-lock:"));
            lock = store.lock("job");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            store.close();
        }
    }

    @State(Scope.Benchmark)
    public static class JedisLock {
        Jedis jedis;
        final String token = UUID.randomUUID().toString();
        String unlockSha;

        @Setup(Level.Trial)
        public void setUp() {
            jedis = new Jedis("127.0.0.1", Redis.port());
            unlockSha = jedis.scriptLoad(UNLOCK);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            jedis.close();
        }
    }

    @Benchmark
    @Id(value = "lock.file", baseline = "lock.reentrant")
    public boolean fileLock(FileLock state) {
        state.lock.lock();
        state.lock.unlock();
        return true;
    }

    @Benchmark
    @Id("lock.reentrant")
    public boolean reentrantLock(LocalLock state) {
        state.lock.lock();
        state.lock.unlock();
        return true;
    }

    @Benchmark
    @Id(value = "lock.redis", baseline = "redis.lock.setnx")
    public boolean redisLock(RedisLock state) {
        state.lock.lock();
        state.lock.unlock();
        return true;
    }

    @Benchmark
    @Id("redis.lock.setnx")
    public Object jedisLock(JedisLock state) {
        if (!"OK".equals(state.jedis.set("bench-setnx-lock", state.token, SetParams.setParams().nx().px(2_000)))) {
            throw new IllegalStateException("the SET NX lock was held by somebody else");
        }
        return state.jedis.evalsha(state.unlockSha, 1, "bench-setnx-lock", state.token);
    }

    /** The port of run.sh's redis-server. */
    static final class Redis {
        private Redis() {
        }

        static int port() {
            String port = System.getProperty("hearth.redis.port");
            if (port == null) {
                throw new IllegalStateException("set -Dhearth.redis.port to a local redis-server's port (run.sh does)");
            }
            return Integer.parseInt(port);
        }
    }
}
