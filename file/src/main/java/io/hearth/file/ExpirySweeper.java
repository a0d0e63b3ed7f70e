package io.hearth.file;

import io.hearth.spi.Heartbeat;
import java.time.Duration;

/**
 * The expiry sweep: every attached process runs it, so no single death stops expiry. Each step
 * claims segments from the cursor in the store header ({@link StoreHeader#SWEEP_CURSOR_OFFSET}),
 * so processes share the laps instead of repeating each other, and removes the expired entries of
 * each claimed segment holding that segment's stripe only ({@link EntryStore#sweep}); then it looks
 * at the next slots of the counter tables ({@link CounterTables#sweepExpired}).
 *
 * <p>A step stops after {@link #STEP_BUDGET} of work, or after {@link #BUSY_STEP_BUDGET} while at
 * least a quarter of what it examined had expired (a store catching up on a wave of expiries),
 * or after one lap. It does nothing until the store's first expiring write
 * ({@link StoreHeader#expiryUsed()}), so stores without expiry pay nothing. Reads never depend on
 * it: an expired entry is absent from its deadline on, swept or not.
 */
final class ExpirySweeper implements AutoCloseable {
    static final Duration INTERVAL = Duration.ofMillis(100);
    static final Duration STEP_BUDGET = Duration.ofMillis(1);
    static final Duration BUSY_STEP_BUDGET = Duration.ofMillis(25);
    /** Counter slots one step looks at (a fifth of a millisecond's reading). */
    static final int COUNTER_SLOTS_PER_STEP = 4096;

    private final EntryStore entries;
    private final CounterTables counters;
    private final StoreHeader header;
    private volatile Heartbeat thread;
    private volatile long swept;

    ExpirySweeper(EntryStore entries, CounterTables counters, StoreHeader header) {
        this.entries = entries;
        this.counters = counters;
        this.header = header;
    }

    /** Starts sweeping every {@link #INTERVAL} on a daemon thread of its own. */
    void start(String location) {
        thread = Heartbeat.start("sweep", location, INTERVAL, this::step);
    }

    /** One step of the sweep, as the thread runs it; returns what it saw. */
    SweepStep step() {
        if (!header.expiryUsed()) {
            return new SweepStep(0, 0);
        }
        long now = System.currentTimeMillis();
        long started = System.nanoTime();
        SweepStep counted = counters.sweepExpired(now, COUNTER_SLOTS_PER_STEP);
        long examined = counted.examined();
        long removed = counted.removed();
        int[] segments = entries.segmentsPerShard();
        int total = 0;
        for (int perShard : segments) {
            total += perShard;
        }
        long budget = STEP_BUDGET.toNanos();
        for (int claimed = 0; claimed < total; claimed++) {
            int index = (int) Math.floorMod(header.claimSweepSegment(), (long) total);
            int shard = 0;
            while (index >= segments[shard]) {
                index -= segments[shard];
                shard++;
            }
            SweepStep step = entries.sweep(shard, index, now);
            examined += step.examined();
            removed += step.removed();
            long elapsed = System.nanoTime() - started;
            if (elapsed > budget) {
                if (budget == BUSY_STEP_BUDGET.toNanos() || removed * 4 < examined) {
                    break;
                }
                budget = BUSY_STEP_BUDGET.toNanos();
            }
        }
        swept += removed;
        return new SweepStep((int) Math.min(Integer.MAX_VALUE, examined), (int) Math.min(Integer.MAX_VALUE, removed));
    }

    /** Entries and counters this process's sweep removed since it opened the store. */
    long swept() {
        return swept;
    }

    @Override
    public void close() {
        Heartbeat running = thread;
        if (running != null) {
            running.close();
        }
    }
}
