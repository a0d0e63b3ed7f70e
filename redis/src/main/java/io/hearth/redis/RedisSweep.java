package io.hearth.redis;

import static io.hearth.redis.RedisCalls.bytes;

import java.util.List;

/**
 * Deletes what has expired, so its memory comes back and the counts fall: entries whose deadline
 * has come (field, place in the entry count, index member) and the names of counters Redis has
 * expired by itself. Each run is one script that looks at most {@link #LIMIT} due entries and as
 * many due counters, so Redis is never held up long; it runs from every store's heartbeat, from
 * {@code stats()} (so the counts it reports leave out what has expired), and from a write or a
 * counter creation that finds the store full. Thread-safe.
 */
final class RedisSweep {
    /** Most due entries, and most due counters, one run looks at. */
    static final int LIMIT = 1000;
    static final byte[] LIMIT_BYTES = bytes(String.valueOf(LIMIT));
    /** Most runs one heartbeat makes while each finds a full batch due. */
    private static final int MOST_RUNS_PER_BEAT = 10;

    /** The counts after one run; more is whether it found a full batch due (so more may be due). */
    record Counts(long entries, int counters, boolean more) {
    }

    private final RedisKeys keys;
    private final RedisCalls calls;

    RedisSweep(RedisKeys keys, RedisCalls calls) {
        this.keys = keys;
        this.calls = calls;
    }

    /** One run: sweeps, then counts entries and counter names, in one script. */
    Counts run() {
        List<?> reply = (List<?>) calls.call("sweep what has expired", jedis -> Scripts.SWEEP.run(jedis,
                List.of(keys.entryCount(), keys.expiringEntries(), keys.counterNames(), keys.expiringCounters(), keys.version(),
                        keys.changes()),
                List.of(keys.mapPrefix(), keys.counterPrefix(), LIMIT_BYTES)));
        return new Counts((Long) reply.get(0), ((Long) reply.get(1)).intValue(),
                (Long) reply.get(2) == LIMIT || (Long) reply.get(3) == LIMIT);
    }

    /** The heartbeat's sweep: runs again while a run finds a full batch, up to {@link #MOST_RUNS_PER_BEAT} runs. */
    void sweepDue() {
        for (int run = 0; run < MOST_RUNS_PER_BEAT && run().more(); run++) {
            // each run is one bounded script; the loop only decides whether to run another
        }
    }
}
