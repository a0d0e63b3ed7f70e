package io.hearth.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.SharedLock;
import io.hearth.SharedStore;
import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.LocksChild;
import io.hearth.testkit.LocksContract;
import io.hearth.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The locks contract on Redis, where a claim is a lease the holder renews: here one of 1 s, so a
 * dead holder's lock is free within about a second.
 */
class RedisLocksTest extends LocksContract {
    private static final Duration LEASE = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();
    private final String uri = redis.freshStoreUri() + "&lease=" + LEASE.toMillis() + "ms";

    @Override
    protected String store() {
        return uri;
    }

    @Override
    protected Duration lease() {
        return LEASE;
    }

    @Test
    void aHolderStoppedForLongerThanItsLeaseLosesTheLockAndItsLateUnlockReleasesNothing() throws Exception {
        try (SharedStore store = open();
             ChildJvm holder = ChildJvm.start(LocksChild.class, "hold", store())) {
            holder.awaitLine("HOLDING", WAIT);
            SharedLock lock = store.lock("job");
            holder.signal("STOP");
            try {
                assertThat(lock.tryLock(LEASE.multipliedBy(5).toMillis(), TimeUnit.MILLISECONDS)).as("the lease ran out").isTrue();
                assertThat(lock.lastHolderDied()).as("taken over from a holder that never released it").isTrue();
            } finally {
                holder.signal("CONT");
            }
            try {
                long deadline = System.nanoTime() + WAIT.toNanos();
                String held;
                do {
                    Thread.sleep(50);
                    holder.send("check");
                    held = holder.awaitLine("HELD", WAIT);
                } while (held.equals("true") && System.nanoTime() < deadline);
                assertThat(held).as("the woken holder knows it lost the lock").isEqualTo("false");
                holder.send("unlock");
                holder.awaitLine("UNLOCKED", WAIT);
                assertThat(lock.holderPid()).as("the late unlock left our claim alone").isEqualTo(ProcessHandle.current().pid());
                assertThat(lock.isHeldByCurrentThread()).isTrue();
            } finally {
                lock.unlock();
            }
        }
    }
}
