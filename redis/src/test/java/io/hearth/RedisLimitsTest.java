package io.hearth;

import io.hearth.redis.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The limits contract on Redis, whose capacity settings are URI options. */
class RedisLimitsTest extends LimitsContract {
    private static RedisServer server;
    private final String uri = server.freshStoreUri();

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        server.close();
    }

    static String withLimits(String uri, TestLimits limits) {
        return uri + "&maxEntries=" + limits.maxEntries() + "&maxCounters=" + limits.maxCounters()
                + "&maxValueBytes=" + limits.maxValueBytes();
    }

    @Override
    protected SharedStore openWithLimits(TestLimits limits) {
        return Stores.open(withLimits(uri, limits));
    }
}
