package io.hearth.file;

import io.hearth.StoreBusyException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A lock that is one word of the store file holding its owner (pid and start time, as
 * {@link MapLockTable#ownerWord} makes it), for work that is rare and short: naming or removing a
 * counter, adding a counter table. A waiter that finds the owner dead takes the lock over and is
 * told so, to tidy up what the dead owner left half done; a live owner that holds it past
 * {@link MapLockTable#LIVE_HOLDER_LIMIT} is stopped, and the waiter fails naming it.
 */
final class OwnerLock {
    private static final long LIVENESS_CHECK_NANOS = Duration.ofMillis(1).toNanos();

    private final MappedFile file;
    private final int offset;
    private final long owner;
    private final String what;

    OwnerLock(MappedFile file, int offset, long pid, String what) {
        this.file = file;
        this.offset = offset;
        this.owner = MapLockTable.ownerWord(pid, io.hearth.spi.Processes.startTicks(pid));
        this.what = what;
    }

    /**
     * Takes the lock.
     *
     * @return true when it was taken over from a dead owner, whose work may be half done
     */
    boolean lock() {
        long start = System.nanoTime();
        long nextCheck = start + LIVENESS_CHECK_NANOS;
        for (int spins = 0; ; spins++) {
            long held = file.getLongVolatile(offset);
            if (held == 0) {
                if (file.compareAndSetLong(offset, 0, owner)) {
                    return false;
                }
                continue;
            }
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(20_000);
            }
            long now = System.nanoTime();
            if (now - nextCheck >= 0) {
                nextCheck = now + LIVENESS_CHECK_NANOS;
                if (!MapLockTable.ownerAlive(held)) {
                    if (file.compareAndSetLong(offset, held, owner)) {
                        return true;
                    }
                } else if (now - start > MapLockTable.LIVE_HOLDER_LIMIT.toNanos()) {
                    throw new StoreBusyException("the " + what + " lock of " + file.path() + " has been held for over "
                            + MapLockTable.LIVE_HOLDER_LIMIT.toSeconds() + " s by process " + MapLockTable.pidOf(held)
                            + ", which is alive but not running (stopped? being debugged?)");
                }
            }
        }
    }

    void unlock() {
        file.setLongRelease(offset, 0);
    }
}
