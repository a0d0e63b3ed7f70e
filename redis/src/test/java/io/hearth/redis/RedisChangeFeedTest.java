package io.hearth.redis;

import io.hearth.testkit.ChangeFeedContract;
import io.hearth.testkit.RedisServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The change feed contract on Redis: its change stream ({@link RedisChangeLog}). */
class RedisChangeFeedTest extends ChangeFeedContract {
    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();
    private final String uri = redis.freshStoreUri();

    @Override
    protected String store() {
        return uri;
    }

    /** Redis trims the stream in whole nodes of 100 entries, so it may keep that many more. */
    @Override
    protected int changesKept() {
        return RedisChangeLog.KEPT + 200;
    }
}
