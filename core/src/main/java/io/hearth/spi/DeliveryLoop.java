package io.hearth.spi;

import io.hearth.BroadcastMessage;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Delivers a store's broadcasts to this process in sequence order, on one daemon thread of its
 * own, and acknowledges each message once the sink has returned. Every backend runs this loop
 * over its own {@link Source}. Heartbeats run elsewhere ({@link Heartbeat}), so a slow handler
 * delays only the deliveries behind it. A failure is logged once per outage and retried; only
 * {@link #close()} ends the loop.
 */
public final class DeliveryLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DeliveryLoop.class.getName());
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /**
     * The most idle rounds counted: a backend may wait longer once this quiet, as a standby that
     * waits minutes for a broadcast does (its wake-ups cost CPU the serving workers need).
     */
    private static final int MOST_IDLE_ROUNDS = 1_000;
    /** While a message is not readable yet (its writer is mid-copy or dead), the loop looks as a busy one does. */
    private static final int WAITING_IDLE_ROUNDS = 30;

    /** A backend's broadcast log, as this process reads it. */
    public interface Source {
        /** The sequence of the newest message sent, 0 when none. */
        long newest();

        /**
         * Reads message {@code sequence}, which is at most {@link #newest()} and not delivered yet.
         *
         * @param waitingSinceNanos {@link System#nanoTime()} when this message was first found
         *                          {@link NotYet}, or 0: lets a backend give up on a dead writer
         */
        Read read(long sequence, long waitingSinceNanos);

        /** Records that this process has handled every message up to sequence. */
        void acknowledge(long sequence);

        /**
         * The next sequence to deliver, given the loop's; asked before each round. A backend whose
         * log was lost (a Redis restarted empty) answers a lower one to start again.
         */
        default long resume(long next) {
            return next;
        }

        /**
         * How long to wait for news after this many rounds in a row that delivered nothing (counted up
         * to 1,000; while a message is not readable yet, up to 30), unless woken first.
         */
        Duration idleWait(int idleRounds);
    }

    /** What {@link Source#read} found. */
    public sealed interface Read permits Message, NotYet, Skipped {
    }

    /** The message, whole. */
    public record Message(BroadcastMessage message) implements Read {
    }

    /** The message is being written: look again later. */
    public record NotYet() implements Read {
    }

    /** The message can never be read (overwritten, expired, or its writer died); it is acknowledged as lost. */
    public record Skipped(String why) implements Read {
    }

    private final String name;
    private final Source source;
    private final Consumer<BroadcastMessage> sink;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Semaphore wake = new Semaphore(0);
    private final Thread thread;
    private long next;

    private DeliveryLoop(String name, Source source, long deliveredUpTo, Consumer<BroadcastMessage> sink) {
        this.name = name;
        this.source = source;
        this.sink = sink;
        this.next = deliveredUpTo + 1;
        this.thread = new Thread(this::run, "hearth-delivery " + name);
        this.thread.setDaemon(true);
    }

    /**
     * Starts delivering every message after {@code deliveredUpTo} to sink.
     *
     * @param name for the thread's name and log lines: the store's location
     */
    public static DeliveryLoop start(String name, Source source, long deliveredUpTo, Consumer<BroadcastMessage> sink) {
        DeliveryLoop loop = new DeliveryLoop(Objects.requireNonNull(name, "name"), Objects.requireNonNull(source, "source"),
                deliveredUpTo, Objects.requireNonNull(sink, "sink"));
        loop.thread.start();
        return loop;
    }

    /** Looks for new messages now instead of at the end of the current wait. */
    public void wake() {
        wake.release();
    }

    /** Whether the caller is this loop's thread: a handler that broadcasts must not wait for its own acknowledgement. */
    public boolean isDeliveryThread() {
        return Thread.currentThread() == thread;
    }

    /** Stops the loop after the message being handled, waiting a few seconds for it. Safe to call twice. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        wake();
        if (!isDeliveryThread()) {
            try {
                thread.join(CLOSE_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        long pendingAck = 0;
        long waitingSince = 0;
        int idleRounds = 0;
        boolean failing = false;
        while (!closed.get()) {
            Duration wait;
            try {
                if (pendingAck != 0) { // delivered, but the acknowledgement failed: send it first
                    source.acknowledge(pendingAck);
                    pendingAck = 0;
                }
                next = source.resume(next);
                boolean delivered = false;
                boolean waiting = false;
                long newest = source.newest();
                while (!closed.get() && next <= newest) {
                    Read read = source.read(next, waitingSince);
                    if (read instanceof NotYet) {
                        waiting = true;
                        waitingSince = waitingSince == 0 ? System.nanoTime() : waitingSince;
                        break;
                    }
                    waitingSince = 0;
                    if (read instanceof Message message) {
                        sink.accept(message.message());
                    } else if (read instanceof Skipped skipped) {
                        LOG.log(System.Logger.Level.WARNING, "broadcast lost in " + name + ": " + skipped.why());
                    }
                    pendingAck = next++;
                    source.acknowledge(pendingAck);
                    pendingAck = 0;
                    delivered = true;
                }
                if (failing) {
                    LOG.log(System.Logger.Level.INFO, "broadcast delivery in " + name + " works again");
                    failing = false;
                }
                idleRounds = delivered ? 0
                        : Math.min(idleRounds + 1, waiting ? WAITING_IDLE_ROUNDS : MOST_IDLE_ROUNDS);
                wait = source.idleWait(idleRounds);
            } catch (RuntimeException | LinkageError | AssertionError e) {
                if (!failing) {
                    LOG.log(System.Logger.Level.WARNING, "broadcast delivery in " + name + " failed; retrying every "
                            + RETRY_AFTER_FAILURE.toSeconds() + " s until it works", e);
                    failing = true;
                }
                wait = RETRY_AFTER_FAILURE;
            }
            try {
                if (wake.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                    wake.drainPermits();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
