package io.hearth.redis;

import io.hearth.testkit.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hearth.BroadcastResult;
import io.hearth.HearthException;
import io.hearth.SharedStore;
import io.hearth.WorkerInfo;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** What only the Redis backend has: a password, key prefixes, and workers on several hosts. */
class RedisBackendTest {
    private static final String PASSWORD = "correct-horse";
    private static RedisServer server;

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start(List.of("--requirepass", PASSWORD));
    }

    @AfterAll
    static void stopRedis() {
        server.close();
    }

    private static String uri(String prefix) {
        return "redis://:" + PASSWORD + "@127.0.0.1:" + server.port() + "/0?prefix=" + prefix;
    }

    private static Jedis redis() {
        Jedis jedis = new Jedis("127.0.0.1", server.port());
        jedis.auth(PASSWORD);
        return jedis;
    }

    @Test
    void aStoreWithAPasswordWorksAndItsLocationLeavesThePasswordOut() {
        try (SharedStore store = SharedStore.open(URI.create(uri("pw:")))) {
            assertThat(store.counter("hits").incrementAndGet()).isEqualTo(1);
            assertThat(store.location()).isEqualTo("redis://127.0.0.1:" + server.port() + "/0?prefix=pw:");
        }
    }

    @Test
    void aWrongPasswordFailsNamingHostAndPortButNotThePassword() {
        String wrong = "redis://:not-the-password@127.0.0.1:" + server.port() + "/0";
        HearthException thrown = catchThrowableOfType(HearthException.class, () -> SharedStore.open(URI.create(wrong)));
        assertThat(thrown).isNotNull().hasMessageContaining("127.0.0.1:" + server.port())
                .hasMessageNotContaining("not-the-password");
    }

    @Test
    void storesWithDifferentPrefixesShareOneRedisWithoutSeeingEachOther() {
        try (SharedStore shop = SharedStore.open(URI.create(uri("shop:")));
             SharedStore blog = SharedStore.open(URI.create(uri("blog:")));
             Jedis redis = redis()) {
            shop.counter("hits").addAndGet(5);
            shop.map("users", String.class).put("ada", "shop");
            blog.map("users", String.class).put("bob", "blog");

            assertThat(blog.counter("hits").get()).isZero();
            assertThat(shop.map("users", String.class).keys()).containsExactly("ada");
            assertThat(blog.map("users", String.class).keys()).containsExactly("bob");
            assertThat(redis.get("shop:c:hits")).isEqualTo("5");
            assertThat(redis.hget("shop:m:users", "ada")).matches("\\d+:\"shop\"");
            assertThat(redis.keys("blog:*")).allMatch(key -> key.startsWith("blog:")).contains("blog:m:users");
        }
    }

    @Test
    void aWorkerOnAnotherHostWithTheSamePidIsADifferentWorkerAndExpiresByHeartbeatAlone() {
        long pid = ProcessHandle.current().pid();
        long deadPid = deadPid();
        try (SharedStore store = SharedStore.open(URI.create(uri("hosts:")));
             Jedis redis = redis()) {
            long now = Long.parseLong(redis.time().get(0)) * 1000;
            // What workers on another host write: the same pid as ours, and a pid that is dead here.
            register(redis, "other-1", pid + " 0 other-host/boot " + now, now);
            register(redis, "other-2", deadPid + " 0 other-host/boot " + now, now);
            // A worker of this host whose process is gone, with a fresh heartbeat: dropped at once.
            register(redis, "here-dead", deadPid + " 0 " + RedisWorkers.hostId() + " " + now, now);
            // A worker of another host whose heartbeat is older than the expiry: dropped.
            register(redis, "other-stale", "77 0 other-host/boot " + now, now - 11_000);

            assertThat(store.workers()).extracting(WorkerInfo::pid).containsExactlyInAnyOrder(pid, pid, deadPid);
            assertThat(redis.hkeys("hosts:worker-info")).containsExactlyInAnyOrder("other-1", "other-2",
                    redis.zrange("hosts:workers", 0, -1).stream().filter(id -> !id.startsWith("other")).findFirst().orElseThrow());

            // The fake workers never acknowledge: the broadcast reports them missing, by pid.
            BroadcastResult result = store.broadcast("t", "{}", Duration.ofMillis(300));
            assertThat(result.acked()).containsExactly(pid);
            assertThat(result.missing()).containsExactlyInAnyOrder(pid, deadPid);
        }
    }

    @Test
    void aWorkerKeepsBeatingWhileABroadcastHandlerIsSlow() throws InterruptedException {
        CountDownLatch handling = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (SharedStore store = SharedStore.open(URI.create(uri("beat:")));
             Jedis redis = redis()) {
            store.subscribe("t", message -> {
                handling.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                store.broadcast("t", "{}", Duration.ZERO);
                assertThat(handling.await(30, TimeUnit.SECONDS)).as("the handler runs").isTrue();
                double before = redis.zrangeWithScores("beat:workers", 0, -1).get(0).getScore();

                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (redis.zrangeWithScores("beat:workers", 0, -1).get(0).getScore() <= before
                        && System.nanoTime() - deadline < 0) {
                    Thread.sleep(50);
                }
                assertThat(redis.zrangeWithScores("beat:workers", 0, -1).get(0).getScore())
                        .as("the heartbeat went on while the handler blocked delivery").isGreaterThan(before);
            } finally {
                release.countDown();
            }
        }
    }

    private static void register(Jedis redis, String id, String info, long heartbeatMillis) {
        redis.hset("hosts:worker-info", id, info);
        redis.zadd("hosts:workers", heartbeatMillis, id);
    }

    private static long deadPid() {
        try {
            Process process = new ProcessBuilder("true").start();
            process.waitFor();
            return process.pid();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
