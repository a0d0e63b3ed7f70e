package io.hearth;

import io.hearth.spi.Processes;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Lock} held by one thread of one process at a time, across every process attached to the
 * store ({@link SharedStore#lock}). Reentrant for its holding thread; {@link #unlock} by any other
 * thread throws {@link IllegalMonitorStateException}.
 *
 * <p>The holder is recorded in the store as its process id, the process's start time and a token
 * of this store instance, so a holder that dies (SIGKILL, a crash) releases the lock: a waiter
 * checks the holder's liveness on every attempt and takes the lock over from a dead one in one
 * compare-and-set, and then {@link #lastHolderDied()} says so. There is no lease: a holder that is
 * alive but stopped (SIGSTOP, a debugger) keeps the lock, and waiters wait for it. Closing the store
 * releases what it holds. Waiters poll about every millisecond; the lock is for jobs and sections
 * that take milliseconds or more, not for the hot path of a counter.
 *
 * <p>Only the file store, whose processes share one host, can tell a dead holder by its pid: on
 * other stores {@link SharedStore#lock} throws {@link UnsupportedOperationException}.
 */
public final class SharedLock implements Lock {
    /** Hearth's own maps live under names no user map may take (see {@link SharedStore#map}). */
    static final String LOCKS_MAP = SharedStore.RESERVED_MAP_PREFIX + "locks";
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final SharedStore store;
    private final StoreBackend backend;
    private final String map;
    private final String name;
    private final ReentrantLock local = new ReentrantLock();
    private final byte[] holder;
    private final AtomicLong takeovers = new AtomicLong();
    /** The version of our entry while this instance holds the lock across processes, else 0; guarded by local. */
    private long heldVersion;
    private volatile boolean lastHolderDied;

    SharedLock(SharedStore store, StoreBackend backend, String map, String name) {
        this.store = store;
        this.backend = backend;
        this.map = map;
        this.name = name;
        this.holder = Holder.current(UUID.randomUUID().toString()).json();
    }

    public String name() {
        return name;
    }

    @Override
    public void lock() {
        local.lock();
        if (local.getHoldCount() > 1) {
            return;
        }
        try {
            while (!attempt()) {
                LockSupport.parkNanos(POLL_NANOS);
            }
        } catch (RuntimeException | Error e) {
            local.unlock();
            throw e;
        }
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        if (!tryLock(Long.MAX_VALUE, TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("lock '" + name + "' could not be taken"); // not reached: no deadline
        }
    }

    @Override
    public boolean tryLock() {
        if (!local.tryLock()) {
            return false;
        }
        if (local.getHoldCount() > 1) {
            return true;
        }
        return attemptOrLetGo();
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        long start = System.nanoTime();
        long wait = unit.toNanos(time);
        if (!local.tryLock(wait, TimeUnit.NANOSECONDS)) {
            return false;
        }
        if (local.getHoldCount() > 1) {
            return true;
        }
        try {
            while (!attempt()) {
                long left = wait - (System.nanoTime() - start);
                if (left <= 0) {
                    local.unlock();
                    return false;
                }
                LockSupport.parkNanos(Math.min(left, POLL_NANOS));
                if (Thread.interrupted()) {
                    local.unlock();
                    throw new InterruptedException("interrupted while waiting for lock '" + name + "'");
                }
            }
            return true;
        } catch (RuntimeException | Error e) {
            local.unlock();
            throw e;
        }
    }

    @Override
    public void unlock() {
        if (!local.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("lock '" + name + "' is not held by thread " + Thread.currentThread().getName());
        }
        try {
            if (local.getHoldCount() == 1) {
                release();
            }
        } finally {
            local.unlock();
        }
    }

    /** Not supported: a condition would need every process's waiters. */
    @Override
    public Condition newCondition() {
        throw new UnsupportedOperationException("a SharedLock has no conditions (lock '" + name + "')");
    }

    public boolean isHeldByCurrentThread() {
        return local.isHeldByCurrentThread();
    }

    /** Whether this process's latest acquisition of the lock took it over from a holder that had died holding it. */
    public boolean lastHolderDied() {
        return lastHolderDied;
    }

    /** How many times this process took the lock over from a dead holder. */
    public long takeovers() {
        return takeovers.get();
    }

    @Override
    public String toString() {
        return "SharedLock[" + name + (local.isLocked() ? ", held here" : "") + "]";
    }

    /** Releases what this instance holds across processes, when its store closes; the local lock is its threads' to let go. */
    void releaseOnClose() {
        long version = heldVersion;
        if (version != 0) {
            heldVersion = 0;
            backend.remove(map, name, version);
        }
    }

    /** Whether the store still records this instance as the holder (for a leader checking its claim). */
    boolean stillHeldAcrossProcesses() {
        long version = heldVersion;
        StoredEntry current = version == 0 ? null : backend.get(map, name);
        return current != null && current.version() == version;
    }

    /** Lets go of a claim the store no longer records as ours, without touching what is there now; by the holding thread. */
    void abandon() {
        heldVersion = 0;
        while (local.isHeldByCurrentThread()) {
            local.unlock();
        }
    }

    /** The pid of the holder recorded in json while it lives, else 0. */
    static long livePid(byte[] json, String lock) {
        Holder held = Holder.parse(json, lock);
        return held.alive() ? held.pid() : 0;
    }

    private boolean attemptOrLetGo() {
        try {
            if (attempt()) {
                return true;
            }
        } catch (RuntimeException | Error e) {
            local.unlock();
            throw e;
        }
        local.unlock();
        return false;
    }

    /** One try, holding the local lock: take a free lock, or take it over from a dead holder. */
    private boolean attempt() {
        store.ensureOpen();
        for (int tries = 0; tries < 3; tries++) {
            long version = backend.write(map, name, StoreBackend.ABSENT, holder, StoreBackend.NO_EXPIRY);
            if (version != StoreBackend.CONFLICT) {
                acquired(version, false);
                return true;
            }
            StoredEntry current = backend.get(map, name);
            if (current == null) {
                continue; // released between our write and our look
            }
            Holder held = Holder.parse(current.json(), name);
            if (held.alive()) {
                return false;
            }
            // One compare-and-set from the dead holder's version: of two waiters, one wins and knows it.
            version = backend.write(map, name, current.version(), holder, StoreBackend.NO_EXPIRY);
            if (version != StoreBackend.CONFLICT) {
                takeovers.incrementAndGet();
                acquired(version, true);
                return true;
            }
        }
        return false;
    }

    private void acquired(long version, boolean tookOver) {
        heldVersion = version;
        lastHolderDied = tookOver;
    }

    private void release() {
        long version = heldVersion;
        heldVersion = 0;
        if (version != 0 && !store.isDetached()) {
            backend.remove(map, name, version);
        }
    }

    /** Who holds a lock, as stored: {@code [pid, startTicks, "token"]}. */
    private record Holder(long pid, long startTicks, String token) {
        static Holder current(String token) {
            return new Holder(Processes.currentPid(), Processes.currentStartTicks(), token);
        }

        byte[] json() {
            return ("[" + pid + "," + startTicks + ",\"" + token + "\"]").getBytes(StandardCharsets.US_ASCII);
        }

        static Holder parse(byte[] json, String lock) {
            String text = new String(json, StandardCharsets.US_ASCII);
            String[] fields = text.length() > 2 ? text.substring(1, text.length() - 1).split(",", 3) : new String[0];
            try {
                return new Holder(Long.parseLong(fields[0]), Long.parseLong(fields[1]), fields[2].replace("\"", ""));
            } catch (RuntimeException e) {
                throw new HearthException("the holder of lock '" + lock + "' is recorded as " + text + ", which is not [pid, start, token]", e);
            }
        }

        boolean alive() {
            return Processes.isAlive(pid, startTicks);
        }
    }
}
