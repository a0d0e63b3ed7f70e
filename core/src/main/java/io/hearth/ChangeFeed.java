package io.hearth;

import io.hearth.spi.ChangeLog;
import io.hearth.spi.StoredChange;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A store's watches ({@link SharedMap#watch}), served by one daemon thread of its own that reads
 * the backend's {@link ChangeLog}: each watch keeps its own cursor, so one that falls behind, or
 * starts from an old version, holds up only itself. The thread starts with the first watch and,
 * while every watch is caught up, looks again every {@link ChangeLog#idleWait()} (1 ms on the file store), or
 * twenty times as often for the first {@value #BUSY_ROUNDS} looks after a change; it is apart from broadcast delivery, so
 * a slow listener delays neither broadcasts nor their acknowledgements.
 */
final class ChangeFeed implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChangeFeed.class.getName());
    /** Versions one watch reads in one turn, so that watches take turns. */
    private static final int BATCH = 1024;
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);
    /**
     * Idle looks after the last change made at a twentieth of the log's idle wait, before going back
     * to it: changes that come in a burst, or in answer to one, are delivered in tens of microseconds
     * on the file store rather than up to a millisecond each.
     */
    private static final int BUSY_ROUNDS = 200;

    private final String location;
    private final ChangeLog log;
    private final long idleParkNanos;
    private final List<Watch<?>> watches = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private Thread thread;

    ChangeFeed(String location, ChangeLog log) {
        this.location = location;
        this.log = log;
        this.idleParkNanos = log.idleWait().toNanos();
    }

    /** The newest version the log has handed out: where a watch that names none starts. */
    long newest() {
        return log.newest();
    }

    /**
     * Delivers to listener every change to map's keys under prefix after version {@code after}.
     *
     * @throws IllegalArgumentException if after is a version the store has not handed out
     */
    synchronized <V> Subscription watch(String map, String prefix, long after, Function<byte[], V> decoder,
                                        Consumer<Change<V>> listener) {
        if (closed.get()) {
            throw new StoreClosedException("store " + location + " is closed");
        }
        long newest = log.newest();
        if (after < 0 || after > newest) {
            throw new IllegalArgumentException("cannot watch map '" + map + "' after version " + after + ": store " + location
                    + " has handed out versions up to " + newest + " only (a version from another store, or from before it"
                    + " was created anew?)");
        }
        Watch<V> watch = new Watch<>(map, prefix, after, decoder, listener);
        watches.add(watch);
        if (thread == null) {
            thread = new Thread(this::run, "hearth-changes " + location);
            thread.setDaemon(true);
            thread.start();
        }
        return new Subscription(() -> watches.remove(watch));
    }

    /** Stops every watch, waiting a few seconds for the listener running now. Safe to call twice. */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            running = thread;
        }
        watches.clear();
        if (running != null && running != Thread.currentThread()) {
            LockSupport.unpark(running);
            try {
                running.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        boolean failing = false;
        int idleRounds = BUSY_ROUNDS;
        while (!closed.get()) {
            boolean progressed = false;
            try {
                for (Watch<?> watch : watches) {
                    progressed |= watch.poll();
                }
                if (failing) {
                    LOG.log(System.Logger.Level.INFO, "change delivery in " + location + " works again");
                    failing = false;
                }
            } catch (RuntimeException | LinkageError | AssertionError e) {
                if (!failing) {
                    LOG.log(System.Logger.Level.WARNING, "change delivery in " + location + " failed; retrying every "
                            + RETRY_AFTER_FAILURE.toSeconds() + " s until it works", e);
                    failing = true;
                }
                LockSupport.parkNanos(RETRY_AFTER_FAILURE.toNanos());
                continue;
            }
            if (progressed) {
                idleRounds = 0;
            } else {
                LockSupport.parkNanos(idleRounds++ < BUSY_ROUNDS ? idleParkNanos / 20 : idleParkNanos);
            }
        }
    }

    /** One watch: its filter, its listener and its cursor, touched only by the delivery thread. */
    private final class Watch<V> implements ChangeLog.Sink {
        private final String map;
        private final String prefix;
        private final Function<byte[], V> decoder;
        private final Consumer<Change<V>> listener;
        private long after;
        private long stalledSinceNanos;
        /** Versions missed and not yet told, coalesced: 0 when none. */
        private long gapFirst;
        private long gapLast;
        private String gapWhy;

        Watch(String map, String prefix, long after, Function<byte[], V> decoder, Consumer<Change<V>> listener) {
            this.map = map;
            this.prefix = prefix;
            this.after = after;
            this.decoder = decoder;
            this.listener = listener;
        }

        /** Reads on from the cursor; whether it got past any version. */
        boolean poll() {
            long newest = log.newest();
            if (after >= newest) {
                return false;
            }
            long upTo = log.read(after, BATCH, stalledSinceNanos, this);
            boolean moved = upTo > after;
            if (moved) {
                after = upTo;
                stalledSinceNanos = 0;
            } else if (stalledSinceNanos == 0) {
                stalledSinceNanos = System.nanoTime();
            }
            if (!moved || after >= newest) {
                tellGap();
            }
            return moved;
        }

        @Override
        public void change(StoredChange change) {
            if (!change.map().equals(map) || !change.key().startsWith(prefix)) {
                return;
            }
            tellGap();
            deliver(change.kind() == Change.Kind.WRITE
                    ? Change.write(change.key(), change.version(), change.json(), decoder)
                    : Change.removal(change.kind(), change.key(), change.version()));
        }

        @Override
        public void missed(long first, long last, String why) {
            if (gapFirst == 0) {
                gapFirst = first;
                gapWhy = why;
            } else if (!gapWhy.contains(why)) {
                gapWhy = gapWhy + "; " + why;
            }
            gapLast = last;
        }

        private void tellGap() {
            if (gapFirst != 0) {
                Change<V> gap = Change.gap(gapFirst, gapLast, gapWhy);
                gapFirst = 0;
                gapWhy = null;
                deliver(gap);
            }
        }

        private void deliver(Change<V> change) {
            if (!watches.contains(this)) {
                return; // closed meanwhile
            }
            try {
                listener.accept(change);
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                // One broken listener must not stop the feed, nor the other watches.
                LOG.log(System.Logger.Level.WARNING, "listener watching map '" + map + "' threw on " + change, e);
            }
        }
    }
}
