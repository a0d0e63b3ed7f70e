package io.hearth;

import io.hearth.redis.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The cross-process contract on Redis: separate JVMs talking to this class's redis-server. The
 * hammer test makes a tenth of the file store's calls (each is a network round trip here), with
 * the same exact-total and triangular-sum checks.
 */
class RedisCrossProcessTest extends CrossProcessContract {
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
    protected int hammerIncrements() {
        return 10_000;
    }

    @Override
    protected int hammerUpdates() {
        return 1_000;
    }
}
