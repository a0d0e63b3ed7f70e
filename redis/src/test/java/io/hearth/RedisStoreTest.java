package io.hearth;

import io.hearth.redis.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on Redis: this class's own redis-server, a fresh key prefix per test. */
class RedisStoreTest extends StoreContract {
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

    @Override
    protected String store() {
        return uri;
    }

    @Override
    protected SharedStore openWithLimits(TestLimits limits) {
        return Stores.open(RedisLimitsTest.withLimits(uri, limits));
    }

    @Override
    protected String expectedLocation() {
        return uri; // prefix kept, nothing else to drop
    }
}
