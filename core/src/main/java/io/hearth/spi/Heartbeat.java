package io.hearth.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a backend's heartbeat at a fixed delay on a daemon thread of its own, apart from broadcast
 * delivery, so a slow broadcast handler never makes a live process look stalled; other periodic
 * work (the file store's expiry sweep) runs on one of its own the same way. A failing beat is
 * logged once per outage and tried again at the next beat.
 */
public final class Heartbeat implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Heartbeat.class.getName());
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final ScheduledExecutorService executor;
    private final String name;
    private final Runnable beat;
    private boolean failing;

    private Heartbeat(String task, String name, Runnable beat) {
        this.name = task + " of " + name;
        this.beat = beat;
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "hearth-" + task + " " + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Calls beat now and then every interval, until closed.
     *
     * @param name for the thread's name and log lines: the store's location
     */
    public static Heartbeat start(String name, Duration interval, Runnable beat) {
        return start("heartbeat", name, interval, beat);
    }

    /**
     * Calls work now and then every interval, until closed, on a thread named for the task.
     *
     * @param task what the work is, for the thread's name and log lines ("sweep")
     * @param name the store's location
     */
    public static Heartbeat start(String task, String name, Duration interval, Runnable work) {
        Heartbeat heartbeat = new Heartbeat(Objects.requireNonNull(task, "task"), Objects.requireNonNull(name, "name"),
                Objects.requireNonNull(work, "work"));
        heartbeat.executor.scheduleWithFixedDelay(heartbeat::beatOnce, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
        return heartbeat;
    }

    /** Stops beating, waiting a few seconds for a beat under way. Safe to call twice. */
    @Override
    public void close() {
        executor.shutdown(); // not shutdownNow: an interrupt would close a file channel the beat is using
        try {
            executor.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void beatOnce() {
        try {
            beat.run();
            if (failing) {
                LOG.log(System.Logger.Level.INFO, name + " works again");
                failing = false;
            }
        } catch (RuntimeException | LinkageError | AssertionError e) {
            // Thrown out of a scheduled task, it would cancel every later beat.
            if (!failing) {
                LOG.log(System.Logger.Level.WARNING, name + " failed; trying at every beat until it works", e);
                failing = true;
            }
        }
    }
}
