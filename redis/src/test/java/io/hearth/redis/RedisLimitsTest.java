package io.hearth.redis;

import io.hearth.SharedStore;
import io.hearth.testkit.LimitsContract;
import io.hearth.testkit.RedisServerExtension;
import io.hearth.testkit.Stores;
import io.hearth.testkit.TestLimits;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The limits contract on Redis, whose capacity settings are URI options. */
class RedisLimitsTest extends LimitsContract {
    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();
    private final String uri = redis.freshStoreUri();

    static String withLimits(String uri, TestLimits limits) {
        return uri + "&maxEntries=" + limits.maxEntries() + "&maxCounters=" + limits.maxCounters()
                + "&maxValueBytes=" + limits.maxValueBytes();
    }

    @Override
    protected SharedStore openWithLimits(TestLimits limits) {
        return Stores.open(withLimits(uri, limits));
    }
}
