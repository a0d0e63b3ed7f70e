package io.hearth;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * This process's candidacy for the leadership of a name ({@link SharedStore#leadership}): of the
 * live processes that hold a candidacy for a name, exactly one leads at a time. A thread of its own
 * tries for the name's {@link SharedLock} every {@link #POLL_MILLIS} ms while another process leads,
 * and while this one leads it checks as often that its claim still stands. On the file store a
 * dead leader's claim is free at once, so another candidate leads within about that long. On Redis
 * the claim is a lease: another candidate leads once the dead leader's lease runs out, and a leader
 * that stops for longer than about two thirds of a lease hears {@link LeadershipListener#lost()}
 * within {@link #POLL_MILLIS} ms of running again, perhaps after another process has begun to lead.
 * Closing it (or the store) resigns.
 */
public final class Leadership implements AutoCloseable {
    /** How often a candidate tries for the lead, and a leader checks its claim. */
    public static final long POLL_MILLIS = 10;
    private static final System.Logger LOG = System.getLogger(Leadership.class.getName());

    private final SharedLock lock;
    private final LeadershipListener listener;
    private final Thread thread;
    private volatile boolean leader;
    private volatile boolean closed;

    Leadership(SharedLock lock, LeadershipListener listener) {
        this.lock = lock;
        this.listener = listener;
        this.thread = new Thread(this::run, "hearth-leadership-" + lock.name());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    public String name() {
        return lock.name();
    }

    /** Whether this process leads the name now. */
    public boolean isLeader() {
        return leader;
    }

    /** Resigns: the listener hears {@link LeadershipListener#lost()} first if this process led. Safe to call twice. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        if (Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "Leadership[" + lock.name() + (leader ? ", leading" : "") + "]";
    }

    private void run() {
        try {
            while (!closed) {
                if (!leader) {
                    if (lock.tryLock()) {
                        leader = true;
                        tell(true);
                    }
                } else if (!lock.stillHeldAcrossProcesses()) {
                    lock.abandon();
                    leader = false;
                    tell(false);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS));
            }
        } catch (StoreClosedException e) {
            // the store closed under us: resign below
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the leadership of '" + lock.name() + "' stopped trying", e);
        } finally {
            if (leader) {
                leader = false;
                try {
                    lock.unlock();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "could not resign the leadership of '" + lock.name() + "'", e);
                }
                tell(false);
            }
        }
    }

    private void tell(boolean gained) {
        try {
            if (gained) {
                listener.gained();
            } else {
                listener.lost();
            }
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "the listener of the leadership of '" + lock.name() + "' threw", e);
        }
    }
}
