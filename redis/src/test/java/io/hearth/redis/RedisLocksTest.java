package io.hearth.redis;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hearth.SharedStore;
import io.hearth.testkit.RedisServerExtension;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Locks and leadership are the file store's for now: on Redis they are refused plainly, not half made. */
class RedisLocksTest {
    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @Test
    void aLockOrALeadershipOnRedisIsRefusedSayingWhy() {
        try (SharedStore store = SharedStore.open(URI.create(redis.freshStoreUri()))) {
            assertThatThrownBy(() -> store.lock("job")).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("needs the file store");
            assertThatThrownBy(() -> store.leadership("job", () -> { })).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("needs the file store");
        }
    }
}
