package io.hearth.redis;

import io.hearth.testkit.ConcurrentMapContract;
import io.hearth.testkit.RedisServerExtension;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The ConcurrentMap view's contract on Redis: this class's own redis-server, a fresh key prefix per test. */
class RedisConcurrentMapTest extends ConcurrentMapContract {
    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();
    private final String uri = redis.freshStoreUri();

    @Override
    protected String store() {
        return uri;
    }
}
