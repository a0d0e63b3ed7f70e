package io.hearth.redis;

import io.hearth.testkit.RedisServer;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;

/**
 * Jedis against Lettuce for the calls Hearth makes, on a local redis-server: the numbers behind the
 * client choice in this module's README. Not a test (its name keeps it out of the normal run); run it with
 *
 * <pre>mvn -B -ntp -pl redis -am verify -Dtest=ClientMeasurement -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * It prints one table. Latency is per call on one thread; throughput is 8 threads sharing the
 * client as Hearth would (Jedis: a pool of 8 connections; Lettuce: its one thread-safe connection).
 */
class ClientMeasurement {
    private static final int WARMUP = 5_000;
    private static final int CALLS = 20_000;
    private static final int THREADS = 8;
    private static final int CALLS_PER_THREAD = 10_000;

    @Test
    void measure() throws Exception {
        try (RedisServer server = RedisServer.start()) {
            String sha;
            try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
                sha = jedis.scriptLoad(new String(Scripts.WRITE.source(), StandardCharsets.UTF_8));
            }
            List<String> rows = new ArrayList<>();
            JedisPoolConfig config = new JedisPoolConfig();
            config.setMaxTotal(THREADS);
            config.setJmxEnabled(false);
            try (JedisPool pool = new JedisPool(config, "127.0.0.1", server.port())) {
                rows.add(latency("Jedis 6.2 (pool)", "INCR", n -> {
                    try (Jedis jedis = pool.getResource()) {
                        jedis.incr("m:jedis:counter");
                    }
                }));
                rows.add(latency("Jedis 6.2 (pool)", "EVALSHA write", n -> {
                    try (Jedis jedis = pool.getResource()) {
                        jedis.evalsha(sha, List.of("m:jedis:map", "m:jedis:version", "m:jedis:entries"),
                                List.of("k" + (n % 100), "-1", "{\"n\":" + n + "}", "0"));
                    }
                }));
                rows.add(throughput("Jedis 6.2 (pool)", "INCR", n -> {
                    try (Jedis jedis = pool.getResource()) {
                        jedis.incr("m:jedis:counter");
                    }
                }));
            }
            RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", server.port()));
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> sync = connection.sync();
                rows.add(latency("Lettuce 6.8 (sync)", "INCR", n -> sync.incr("m:lettuce:counter")));
                rows.add(latency("Lettuce 6.8 (sync)", "EVALSHA write", n -> sync.evalsha(sha, ScriptOutputType.INTEGER,
                        new String[] {"m:lettuce:map", "m:lettuce:version", "m:lettuce:entries"},
                        "k" + (n % 100), "-1", "{\"n\":" + n + "}", "0")));
                rows.add(throughput("Lettuce 6.8 (sync)", "INCR", n -> sync.incr("m:lettuce:counter")));
            } finally {
                client.shutdown();
            }
            System.out.println();
            System.out.println("| client | call | one thread: mean / p50 / p99 (us) | 8 threads (calls/s) |");
            System.out.println("|---|---|---|---|");
            rows.forEach(System.out::println);
            System.out.println();
        }
    }

    private static String latency(String client, String call, LongConsumer operation) {
        for (int i = 0; i < WARMUP; i++) {
            operation.accept(i);
        }
        long[] nanos = new long[CALLS];
        for (int i = 0; i < CALLS; i++) {
            long start = System.nanoTime();
            operation.accept(i);
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        double mean = Arrays.stream(nanos).average().orElse(0) / 1_000;
        return String.format(Locale.ROOT, "| %s | %s | %.1f / %.1f / %.1f | |", client, call, mean,
                nanos[CALLS / 2] / 1_000.0, nanos[CALLS * 99 / 100] / 1_000.0);
    }

    private static String throughput(String client, String call, LongConsumer operation) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < CALLS_PER_THREAD; i++) {
                    operation.accept(i);
                }
            });
            thread.start();
            threads.add(thread);
        }
        long begin = System.nanoTime();
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        return String.format(Locale.ROOT, "| %s | %s | | %.0f |", client, call + " x" + THREADS, THREADS * CALLS_PER_THREAD / seconds);
    }
}
