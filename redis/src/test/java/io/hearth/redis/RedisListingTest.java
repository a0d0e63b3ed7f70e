package io.hearth.redis;

import io.hearth.testkit.ListingContract;
import io.hearth.testkit.RedisServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The listing contract on Redis: this class's own redis-server, a fresh key prefix per test. */
class RedisListingTest extends ListingContract {
    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();
    private final String uri = redis.freshStoreUri();

    @Override
    protected String store() {
        return uri;
    }
}
