package io.hearth;

import io.hearth.redis.RedisServerExtension;
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
