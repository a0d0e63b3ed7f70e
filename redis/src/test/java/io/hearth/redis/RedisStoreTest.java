package io.hearth.redis;

import io.hearth.SharedStore;
import io.hearth.testkit.RedisServerExtension;
import io.hearth.testkit.StoreContract;
import io.hearth.testkit.Stores;
import io.hearth.testkit.TestLimits;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract on Redis: this class's own redis-server, a fresh key prefix per test. */
class RedisStoreTest extends StoreContract {
    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();
    private final String uri = redis.freshStoreUri();

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
