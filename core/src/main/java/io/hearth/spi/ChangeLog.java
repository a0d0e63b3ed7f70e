package io.hearth.spi;

/**
 * A backend's log of the changes to map entries, read by version: every write and removal by
 * any process is recorded at the version it was made at, and the log keeps the newest ones.
 * Read by {@link io.hearth.SharedMap#watch}'s delivery thread only.
 */
public interface ChangeLog {
    /** What {@link #read} hands changes and missed versions to, in version order. */
    interface Sink {
        void change(StoredChange change);

        /** Versions first to last may have held changes that the log no longer has (or never got), and why. */
        void missed(long first, long last, String why);
    }

    /** How long the delivery thread waits before it looks again, when every watch is caught up. Default 1 ms. */
    default java.time.Duration idleWait() {
        return java.time.Duration.ofMillis(1);
    }

    /** The newest version handed out so far; the log holds nothing after it. */
    long newest();

    /**
     * Hands sink the changes after version {@code after}, in version order, up to about max
     * versions, and versions it cannot tell as missed. A version that names no map change (one a
     * repair took, or a change of expiry) is passed over.
     *
     * @param stalledSinceNanos {@link System#nanoTime()} when the caller first found version
     *                          {@code after + 1} handed out but not yet recorded, or 0: lets the log give
     *                          up on a writer that died before recording it
     * @return the last version read past; {@code after} when version {@code after + 1} is not recorded yet
     */
    long read(long after, int max, long stalledSinceNanos, Sink sink);
}
