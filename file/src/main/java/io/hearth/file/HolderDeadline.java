package io.hearth.file;

import java.time.Duration;

/**
 * The limit on waiting for a lock that only a stopped or stuck holder keeps: it runs from when the
 * current holder was first seen, so a waiter behind many holders in turn (fifty workers opening
 * one store at once) keeps waiting while each of them takes its moment, and fails only when one
 * holder has held the lock for the whole limit. A holder that cannot be told ({@link #UNKNOWN})
 * counts as the one seen before, which leaves the limit running from the start of the wait.
 */
final class HolderDeadline {
    /** What {@link #seen} is given when nothing says who holds the lock. */
    static final long UNKNOWN = -1;

    private final long limitNanos;
    private long holder = UNKNOWN;
    private long sinceNanos;

    HolderDeadline(Duration limit, long startNanos) {
        this.limitNanos = limit.toNanos();
        this.sinceNanos = startNanos;
    }

    /** Records who holds the lock at nowNanos: a holder other than the last one known starts the limit again. */
    void seen(long holderId, long nowNanos) {
        if (holderId == UNKNOWN || holderId == holder) {
            return;
        }
        if (holder != UNKNOWN) {
            sinceNanos = nowNanos; // the first holder known has held it, for all we know, since the wait began
        }
        holder = holderId;
    }

    /** The holder last seen, or {@link #UNKNOWN}. */
    long holder() {
        return holder;
    }

    /** Whether one holder has held the lock for longer than the limit, as of nowNanos. */
    boolean passed(long nowNanos) {
        return nowNanos - sinceNanos > limitNanos;
    }
}
