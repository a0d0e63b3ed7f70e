package io.hearth.redis;

import io.hearth.testkit.CrossProcessContract;
import io.hearth.testkit.RedisServerExtension;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cross-process contract on Redis: separate JVMs talking to this class's redis-server. The
 * hammer test makes a tenth of the file store's calls (each is a network round trip here), with
 * the same exact-total and triangular-sum checks.
 */
class RedisCrossProcessTest extends CrossProcessContract {
    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();
    private final String uri = redis.freshStoreUri();

    @Override
    protected String store() {
        return uri;
    }

    @Override
    protected int churnCounters() {
        return 200;
    }

    @Override
    protected int churnRounds() {
        return 3;
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
