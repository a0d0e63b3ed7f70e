package io.hearth;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Renews the leases this process holds on a store whose locks are leases ({@link SharedLock}):
 * one daemon thread per store, started by the first lease taken, renewing every held lease each
 * third of its length, so a lease runs out only when this process stops renewing (it died, froze,
 * or lost the server for longer than two thirds of a lease).
 */
final class LeaseRenewal implements AutoCloseable {
    private final long periodNanos;
    private final String location;
    private final Set<SharedLock> held = ConcurrentHashMap.newKeySet();
    private Thread thread; // guarded by this
    private volatile boolean closed;

    LeaseRenewal(long leaseMillis, String location) {
        this.periodNanos = TimeUnit.MILLISECONDS.toNanos(leaseMillis) / 3;
        this.location = location;
    }

    /** Renews lock's lease from now on, until {@link #forget}. */
    void renew(SharedLock lock) {
        held.add(lock);
        startOnce();
    }

    void forget(SharedLock lock) {
        held.remove(lock);
    }

    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            closed = true;
            running = thread;
        }
        if (running != null && running != Thread.currentThread()) {
            LockSupport.unpark(running);
            try {
                running.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized void startOnce() {
        if (thread == null && !closed) {
            thread = new Thread(this::run, "hearth-lease-renewal " + location);
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void run() {
        while (!closed) {
            LockSupport.parkNanos(periodNanos);
            for (SharedLock lock : held) {
                if (closed) {
                    return;
                }
                lock.renewLease();
            }
        }
    }
}
