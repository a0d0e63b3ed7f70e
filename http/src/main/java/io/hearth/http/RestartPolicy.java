package io.hearth.http;

import java.time.Duration;

/**
 * When a {@link Supervisor} starts a worker in place of one that exited, and how often it tries to
 * spawn a worker process before it gives up. Pure functions of the worker's past: no state, any thread.
 */
final class RestartPolicy {
    /** The wait before replacing a worker that started fine, and between failed spawns. */
    static final Duration FIRST_DELAY = Duration.ofMillis(250);
    private static final Duration LONGEST_DELAY = Duration.ofSeconds(30);
    /** A worker that lived this long was healthy: its next death restarts at the first delay again. */
    private static final Duration HEALTHY_RUN = Duration.ofSeconds(30);
    /** Spawning a worker process that fails this many times in a row stops the supervisor (status 3). */
    static final int SPAWN_ATTEMPTS = 3;
    /** The exit status Java reports for a process ended by SIGKILL (128 + 9). */
    static final int KILLED = 137;

    /** How long no serving worker must have died for a burst of deaths to count as over. */
    static final Duration BURST_QUIET = Duration.ofSeconds(1);

    /** Whether the worker that exited had started fine before it exited: stood by warm, or served. */
    enum Outcome {
        STARTED,
        NEVER_STARTED
    }

    private RestartPolicy() {
    }

    /**
     * How long to wait before starting a worker in place of one that exited with status after
     * running for lived, when previous is the wait before that worker started (zero for the
     * slot's first worker). The first wait is {@link #FIRST_DELAY}. A worker that started fine
     * and then died (it stood by warm or served, or lived {@link #HEALTHY_RUN}), or that something outside killed
     * with SIGKILL (the OOM killer, an operator, {@code kill -9}), is replaced after the first
     * delay, however often that happens: its start is not what fails, and the other workers carry
     * its load meanwhile. Only a worker that keeps dying by itself before it is warm makes the wait
     * double, up to {@link #LONGEST_DELAY}, so that a crash loop does not spin.
     */
    static Duration nextDelay(Duration previous, Outcome outcome, int status, Duration lived) {
        if (previous.isZero() || outcome == Outcome.STARTED || status == KILLED || lived.compareTo(HEALTHY_RUN) >= 0) {
            return FIRST_DELAY;
        }
        Duration doubled = previous.multipliedBy(2);
        return doubled.compareTo(LONGEST_DELAY) > 0 ? LONGEST_DELAY : doubled;
    }

    /**
     * Whether a replacement's start waits: while serving workers keep dying (the last one less than
     * {@link #BURST_QUIET} ago) and more than half of the standbys asked for are still warm. A JVM
     * start needs 1.2 to 3.8 s of CPU, which the serving workers need most during a burst of
     * deaths, and the warm standbys are there to absorb the burst: the pool is refilled once the
     * burst is over, or at once when it has run down to half. It takes three warm: with up to three
     * standbys (one is the default up to 7 cores) at most two are left after a death, and a start
     * under load takes long enough (12 to 17 s on 2 cores under ChaosKillTest's load, 2026-12-03)
     * that holding it back a second more would leave so small a pool empty; so nothing waits.
     */
    static boolean deferRefill(int warmStandbys, int standbysAsked, long nanosSinceServingDeath) {
        return warmStandbys > standbysAsked / 2 && warmStandbys >= 3 && nanosSinceServingDeath < BURST_QUIET.toNanos();
    }
}
