package io.hearth.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.hearth.SharedStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Naming counters while the store's sweep frees expired ones, in one process. Naming holds the
 * naming lock and then looks up a counter table; the sweep once held the tables' monitor while it
 * waited for the naming lock, so the two could wait on each other until the 30 s busy limit
 * (seen as 503 store_busy in RateLimitAcrossWorkersTest).
 */
class CounterNamingWhileSweepingTest {
    @TempDir
    Path dir;

    @Test
    void threadsNamingShortLivedCountersWhileTheSweepFreesThemNeverWaitOnEachOther() {
        try (SharedStore store = SharedStore.open(dir.resolve("store.store"))) {
            AtomicLong named = new AtomicLong();
            List<Throwable> failures = new ArrayList<>();
            assertTimeoutPreemptively(Duration.ofSeconds(25), () -> {
                List<Thread> threads = new ArrayList<>();
                long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
                for (int t = 0; t < 4; t++) {
                    int thread = t;
                    threads.add(new Thread(() -> {
                        try {
                            for (long n = 0; System.nanoTime() - until < 0; n++) {
                                // Each a new name that expires at once: every call names, every sweep finds some.
                                assertThat(store.counter("c-" + thread + "-" + n, Duration.ofMillis(1)).incrementAndGet()).isEqualTo(1);
                                named.incrementAndGet();
                            }
                        } catch (Throwable e) {
                            synchronized (failures) {
                                failures.add(e);
                            }
                        }
                    }));
                }
                threads.forEach(Thread::start);
                for (Thread thread : threads) {
                    thread.join();
                }
            }, "naming and sweeping waited on each other");
            assertThat(failures).isEmpty();
            assertThat(named.get()).isPositive();
        }
    }
}
