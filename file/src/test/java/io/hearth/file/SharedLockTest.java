package io.hearth.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hearth.Leadership;
import io.hearth.LeadershipListener;
import io.hearth.SharedLock;
import io.hearth.SharedStore;
import io.hearth.StoreClosedException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SharedLock} and {@link Leadership} within one process: threads, reentrancy, misuse and closing. */
class SharedLockTest {
    @TempDir
    Path dir;

    @Test
    void theHoldingThreadReentersAndAnotherThreadWaitsUntilTheLastUnlock() throws Exception {
        try (SharedStore store = SharedStore.open(dir.resolve("s.store"))) {
            SharedLock lock = store.lock("job");
            assertThat(store.lock("job")).isSameAs(lock);
            lock.lock();
            lock.lock();
            assertThat(CompletableFuture.supplyAsync(lock::tryLock).get()).isFalse();
            lock.unlock();
            assertThat(CompletableFuture.supplyAsync(lock::tryLock).get()).as("still held once").isFalse();
            lock.unlock();
            assertThat(lock.isHeldByCurrentThread()).isFalse();
            assertThat(CompletableFuture.supplyAsync(() -> {
                boolean taken = lock.tryLock();
                lock.unlock();
                return taken;
            }).get()).isTrue();
        }
    }

    @Test
    void unlockByAThreadThatDoesNotHoldTheLockIsRefusedAndChangesNothing() throws Exception {
        try (SharedStore store = SharedStore.open(dir.resolve("s.store"))) {
            SharedLock lock = store.lock("job");
            assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class).hasMessageContaining("job");
            lock.lock();
            try {
                assertThat(CompletableFuture.supplyAsync(() -> {
                    try {
                        lock.unlock();
                        return "unlocked";
                    } catch (IllegalMonitorStateException e) {
                        return e.getMessage();
                    }
                }).get()).contains("is not held by thread");
                assertThat(lock.isHeldByCurrentThread()).isTrue();
            } finally {
                lock.unlock();
            }
            assertThatThrownBy(lock::newCondition).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void twoStoresOfOneProcessExcludeEachOtherAndClosingAStoreReleasesWhatItHeld() throws Exception {
        Path path = dir.resolve("s.store");
        try (SharedStore other = SharedStore.open(path)) {
            SharedStore first = SharedStore.open(path);
            first.lock("job").lock();
            assertThat(other.lock("job").tryLock()).as("held by the first store, alive").isFalse();
            first.close();
            assertThat(other.lock("job").tryLock(10, TimeUnit.SECONDS)).isTrue();
            assertThat(other.lock("job").lastHolderDied()).as("the first store let go when it closed").isFalse();
            other.lock("job").unlock();
            assertThatThrownBy(() -> first.lock("job")).isInstanceOf(StoreClosedException.class);
        }
    }

    @Test
    void badNamesAndHearthsOwnMapNamesAreRefused() {
        try (SharedStore store = SharedStore.open(dir.resolve("s.store"))) {
            assertThatThrownBy(() -> store.lock("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lock name");
            assertThatThrownBy(() -> store.lock("x".repeat(10_000))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxKeyBytes");
            assertThatThrownBy(() -> store.map("\u0001locks", String.class)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Hearth's own");
        }
    }

    @Test
    void aLeaderThatClosesItsStoreHearsThatItLostAndTheOtherCandidateLeads() throws Exception {
        Path path = dir.resolve("s.store");
        CountDownLatch firstGained = new CountDownLatch(1);
        CountDownLatch firstLost = new CountDownLatch(1);
        CountDownLatch secondGained = new CountDownLatch(1);
        try (SharedStore second = SharedStore.open(path)) {
            SharedStore first = SharedStore.open(path);
            Leadership leading = first.leadership("job", listener(firstGained, firstLost));
            assertThat(firstGained.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(leading.isLeader()).isTrue();
            assertThat(second.leaders()).containsExactly(java.util.Map.entry("job", ProcessHandle.current().pid()));
            Leadership waiting = second.leadership("job", listener(secondGained, new CountDownLatch(1)));
            assertThat(secondGained.await(200, TimeUnit.MILLISECONDS)).as("one leader at a time").isFalse();
            assertThat(waiting.isLeader()).isFalse();

            first.close();
            assertThat(firstLost.getCount()).as("lost, heard before close returned").isZero();
            assertThat(leading.isLeader()).isFalse();
            assertThat(secondGained.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(waiting.isLeader()).isTrue();
            waiting.close();
            assertThat(second.leaders()).as("nobody leads once the last candidate resigned").isEmpty();
        }
    }

    private static LeadershipListener listener(CountDownLatch gained, CountDownLatch lost) {
        return new LeadershipListener() {
            @Override
            public void gained() {
                gained.countDown();
            }

            @Override
            public void lost() {
                lost.countDown();
            }
        };
    }
}
