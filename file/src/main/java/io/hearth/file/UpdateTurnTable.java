package io.hearth.file;

import io.hearth.spi.UpdateTurns;

/**
 * The update turns of a store ({@link UpdateTurns}): {@link #SLOTS} words in the store header, one
 * per cache line, each the turn of the keys that hash to it. A word is 0 when nobody holds the
 * turn, else its taker's clock and pid:
 *
 * <pre>
 *   header offset {@link #OFFSET} + 64 * slot, one long per slot:
 *   63                                    22 21                    0
 *   +---------------------------------------+-----------------------+
 *   | System.currentTimeMillis() when taken | taker's pid (22 bits) |
 *   +---------------------------------------+-----------------------+
 * </pre>
 *
 * A turn is never renewed. Older than {@link #STALE_MILLIS} (or that far ahead of the clock, which
 * may have been set back) it is stale: its taker died, stopped, or still loses, and the next process
 * to find it clears it; its taker then competes as before. No wait lasts longer than that either.
 * The slots are free space of earlier stores (zeros: no turn held), and a process that knows
 * nothing of them writes correctly, only without waiting its turn.
 */
final class UpdateTurnTable implements UpdateTurns {
    static final int OFFSET = StoreHeader.UPDATE_TURNS_OFFSET;
    static final int SLOTS = 32;
    static final long STALE_MILLIS = 50;
    private static final int PID_BITS = 22;
    private static final long PID_MASK = (1L << PID_BITS) - 1;

    private final MappedFile file;
    private final long pid;
    /** How many turns this thread holds: it never waits for a turn while it holds one (an update within an update's function). */
    private final ThreadLocal<int[]> heldByThisThread = ThreadLocal.withInitial(() -> new int[1]);

    UpdateTurnTable(MappedFile file, long pid) {
        this.file = file;
        this.pid = pid & PID_MASK;
    }

    @Override
    public void awaitTurn(String map, String key) {
        int offset = offsetOf(map, key);
        long word = file.getLongVolatile(offset);
        if (word == 0 || heldByThisThread.get()[0] > 0) {
            return; // the common case: one read of shared memory
        }
        long deadline = System.nanoTime() + STALE_MILLIS * 1_000_000; // however many takers follow one another
        for (int spins = 0; word != 0 && System.nanoTime() - deadline < 0; spins++) {
            if (stale(word, System.currentTimeMillis())) {
                file.compareAndSetLong(offset, word, 0);
                return;
            }
            MapLockTable.pause(spins);
            word = file.getLongVolatile(offset);
        }
    }

    @Override
    public long take(String map, String key) {
        int offset = offsetOf(map, key);
        long word = file.getLongVolatile(offset);
        long now = System.currentTimeMillis();
        long turn = Math.max(now, 1) << PID_BITS | pid;
        if (word != 0 && !stale(word, now) || !file.compareAndSetLong(offset, word, turn)) {
            return NO_TURN; // another holds it, or took it first
        }
        heldByThisThread.get()[0]++;
        return turn;
    }

    @Override
    public boolean holds(String map, String key, long turn) {
        return turn != NO_TURN && file.getLongVolatile(offsetOf(map, key)) == turn && !stale(turn, System.currentTimeMillis());
    }

    @Override
    public void release(String map, String key, long turn) {
        if (turn == NO_TURN) {
            return;
        }
        heldByThisThread.get()[0]--;
        file.compareAndSetLong(offsetOf(map, key), turn, 0);
    }

    /** Whether a turn word names a taker so long ago (or so far ahead) that waiting on it is no longer fair. */
    static boolean stale(long word, long nowMillis) {
        long takenAt = word >>> PID_BITS;
        return Math.abs(nowMillis - takenAt) > STALE_MILLIS;
    }

    /** The header offset of key's turn; the same in every process (String's hash is specified). */
    static int offsetOf(String map, String key) {
        int hash = 31 * map.hashCode() + key.hashCode();
        hash ^= hash >>> 16;
        return OFFSET + (hash & (SLOTS - 1)) * StoreHeader.CACHE_LINE;
    }
}
