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
 * <p>How a holder that dies frees the lock depends on the store:
 * <ul>
 *   <li><b>File store</b> (every process on this host): the holder is recorded as its process id,
 *   the process's start time and a token of this store instance. A waiter checks the holder's
 *   liveness on every attempt and takes the lock over from a dead one (SIGKILL, a crash) in one
 *   compare-and-set, within milliseconds. There is no lease: a holder that is alive but stopped
 *   (SIGSTOP, a debugger) keeps the lock, and waiters wait for it.</li>
 *   <li><b>Redis</b> (processes on many hosts): a holder's pid says nothing to another host, so the
 *   claim is a lease (the URI's {@code lease} option, 2 s by default) that a thread of the holder's
 *   store renews every third of it. A holder that dies frees the lock when its lease runs out; a
 *   holder that stops, or loses the server, for longer than about two thirds of a lease loses the
 *   lock although its thread still holds it here: {@link #isHeldByCurrentThread()} then answers
 *   false, and its {@link #unlock} releases nothing another process holds.</li>
 * </ul>
 * Either way {@link #lastHolderDied()} tells a waiter that it took the lock over from a holder that
 * never released it. Closing the store releases what it holds. Waiters poll every millisecond or
 * two; the lock is for jobs and sections that take milliseconds or more, not for the hot path of a
 * counter.
 */
public final class SharedLock implements Lock {
    /** Hearth's own maps live under names no user map may take (see {@link SharedStore#map}). */
    static final String LOCKS_MAP = SharedStore.RESERVED_MAP_PREFIX + "locks";
    private static final System.Logger LOG = System.getLogger(SharedLock.class.getName());
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Each poll of a leased lock is a round trip to a server: half as often. */
    private static final long LEASED_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final SharedStore store;
    private final StoreBackend backend;
    private final String map;
    private final String name;
    private final ReentrantLock local = new ReentrantLock();
    private final byte[] holder;
    /** The lease's length, or 0 where a dead holder is known by its pid. */
    private final long leaseMillis;
    private final LeaseRenewal renewal;
    private final AtomicLong takeovers = new AtomicLong();
    /** Orders acquiring, renewing and releasing the claim, which run on the holder's thread and the renewal thread. */
    private final Object claim = new Object();
    /** The version of our entry while this instance holds the lock across processes, else 0; written under claim. */
    private volatile long heldVersion;
    /** The version of the released mark this instance last wrote on a leased lock, else 0, under claim: the next take tries it first. */
    private long releasedVersion;
    /** When the lease was last taken or renewed (System.nanoTime), under claim. */
    private long renewedAt;
    /** Whether this waiter saw a live holder's leased claim since it began to wait; by the thread holding local. */
    private boolean sawLeasedHolder;
    private volatile boolean lastHolderDied;

    /** @param renewal the store's lease renewal when its locks are leases, else null */
    SharedLock(SharedStore store, StoreBackend backend, String map, String name, LeaseRenewal renewal) {
        this.store = store;
        this.backend = backend;
        this.map = map;
        this.name = name;
        this.leaseMillis = renewal == null ? 0 : backend.lockLeaseMillis();
        this.renewal = renewal;
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
            sawLeasedHolder = false;
            while (!attempt()) {
                LockSupport.parkNanos(pollNanos());
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
        sawLeasedHolder = false;
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
            sawLeasedHolder = false;
            while (!attempt()) {
                long left = wait - (System.nanoTime() - start);
                if (left <= 0) {
                    local.unlock();
                    return false;
                }
                LockSupport.parkNanos(Math.min(left, pollNanos()));
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

    /**
     * Whether the calling thread holds the lock. On a store whose locks are leases (Redis), false
     * as soon as this process knows its lease ran out unrenewed, although the thread has not
     * unlocked yet: check it before a step that must not run in two processes at once.
     */
    public boolean isHeldByCurrentThread() {
        return local.isHeldByCurrentThread() && heldVersion != 0;
    }

    /**
     * Whether this process's latest acquisition of the lock took it over from a holder that never
     * released it: one that died (file store), or whose lease ran out while this process waited
     * (Redis).
     */
    public boolean lastHolderDied() {
        return lastHolderDied;
    }

    /** How many times this process took the lock over from a holder that never released it. */
    public long takeovers() {
        return takeovers.get();
    }

    /**
     * The process id recorded for the lock's holder now, or 0 when it is free (or, on the file
     * store, its holder is dead). On Redis the pid may be of another host's process.
     */
    public long holderPid() {
        store.ensureOpen();
        StoredEntry current = backend.get(map, name);
        return current == null ? 0 : holderPid(current.json(), name, leaseMillis != 0);
    }

    @Override
    public String toString() {
        return "SharedLock[" + name + (local.isLocked() ? ", held here" : "") + "]";
    }

    /** Releases what this instance holds across processes, when its store closes; the local lock is its threads' to let go. */
    void releaseOnClose() {
        release();
    }

    /** Whether the store still records this instance as the holder (for a leader checking its claim). */
    boolean stillHeldAcrossProcesses() {
        synchronized (claim) {
            long version = heldVersion;
            StoredEntry current = version == 0 ? null : backend.get(map, name);
            return current != null && current.version() == version;
        }
    }

    /** Lets go of a claim the store no longer records as ours, without touching what is there now; by the holding thread. */
    void abandon() {
        synchronized (claim) {
            forgetClaim();
        }
        while (local.isHeldByCurrentThread()) {
            local.unlock();
        }
    }

    /** Extends the lease this instance holds by a whole lease from now; on the renewal thread. */
    void renewLease() {
        synchronized (claim) {
            long version = heldVersion;
            if (version == 0) {
                return;
            }
            try {
                long renewed = backend.write(map, name, version, holder, System.currentTimeMillis() + leaseMillis);
                if (renewed != StoreBackend.CONFLICT) {
                    heldVersion = renewed;
                    renewedAt = System.nanoTime();
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "the lease of lock '" + name + "' ran out before it was renewed"
                        + " (this process stopped, or lost the server, for over " + leaseMillis * 2 / 3 + " ms): another process may hold it now");
            } catch (RuntimeException e) {
                if (System.nanoTime() - renewedAt < TimeUnit.MILLISECONDS.toNanos(leaseMillis)) {
                    LOG.log(System.Logger.Level.DEBUG, "could not renew the lease of lock '" + name + "'; trying again", e);
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "could not renew the lease of lock '" + name + "' for a whole lease of "
                        + leaseMillis + " ms: another process may hold it now", e);
            }
            forgetClaim();
        }
    }

    /** The pid of the holder recorded in json, else 0: free, or (without a lease) dead. */
    static long holderPid(byte[] json, String lock, boolean leased) {
        Holder held = Holder.parse(json, lock);
        if (held.released()) {
            return 0;
        }
        return leased || held.alive() ? held.pid() : 0;
    }

    private long pollNanos() {
        return leaseMillis == 0 ? POLL_NANOS : LEASED_POLL_NANOS;
    }

    private long expiry() {
        return leaseMillis == 0 ? StoreBackend.NO_EXPIRY : System.currentTimeMillis() + leaseMillis;
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

    /**
     * One try, holding the local lock: take a free lock, or take it over from a holder that never
     * released it. Without a lease that is a dead holder, taken over by one compare-and-set from its
     * version, so of two waiters one wins and knows it. With a lease, a released lock's entry stays,
     * marked released (so that an absent one means a lease that ran out, or a lock never taken), and
     * a live entry's lease is the server's to end.
     */
    private boolean attempt() {
        store.ensureOpen();
        for (int tries = 0; tries < 3; tries++) {
            synchronized (claim) {
                if (releasedVersion != 0) {
                    long expected = releasedVersion;
                    releasedVersion = 0;
                    long version = backend.write(map, name, expected, holder, expiry());
                    if (version != StoreBackend.CONFLICT) {
                        return acquired(version, false); // still as we released it: one round trip
                    }
                }
                long version = backend.write(map, name, StoreBackend.ABSENT, holder, expiry());
                if (version != StoreBackend.CONFLICT) {
                    return acquired(version, sawLeasedHolder);
                }
                StoredEntry current = backend.get(map, name);
                if (current == null) {
                    continue; // released (or its lease ran out) between our write and our look
                }
                Holder held = Holder.parse(current.json(), name);
                boolean free = held.released();
                if (!free && leaseMillis != 0) {
                    sawLeasedHolder = true;
                    return false;
                }
                if (!free && held.alive()) {
                    return false;
                }
                version = backend.write(map, name, current.version(), holder, expiry());
                if (version != StoreBackend.CONFLICT) {
                    return acquired(version, !free);
                }
            }
        }
        return false;
    }

    /** Records the claim just taken at version; under claim. */
    private boolean acquired(long version, boolean tookOver) {
        heldVersion = version;
        renewedAt = System.nanoTime();
        lastHolderDied = tookOver;
        if (tookOver) {
            takeovers.incrementAndGet();
        }
        if (renewal != null) {
            renewal.renew(this);
        }
        return true;
    }

    /** Lets go of the claim across processes, unless the store is detached; a released leased entry stays, marked so. */
    private void release() {
        synchronized (claim) {
            long version = heldVersion;
            forgetClaim();
            if (version == 0 || store.isDetached()) {
                return;
            }
            if (leaseMillis == 0) {
                backend.remove(map, name, version);
            } else {
                long released = backend.write(map, name, version, Holder.RELEASED, StoreBackend.NO_EXPIRY);
                releasedVersion = released == StoreBackend.CONFLICT ? 0 : released;
            }
        }
    }

    /** Under claim. */
    private void forgetClaim() {
        heldVersion = 0;
        if (renewal != null) {
            renewal.forget(this);
        }
    }

    /** Who holds a lock, as stored: {@code [pid, startTicks, "token"]}; pid 0 marks a released leased lock. */
    private record Holder(long pid, long startTicks, String token) {
        static final byte[] RELEASED = new Holder(0, 0, "").json();

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

        boolean released() {
            return pid == 0;
        }

        boolean alive() {
            return Processes.isAlive(pid, startTicks);
        }
    }
}
