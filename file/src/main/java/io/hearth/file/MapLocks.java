package io.hearth.file;

import io.hearth.HearthException;
import io.hearth.spi.Processes;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The locks that guard the entries file, and the redo journal that lets a live process finish
 * what a killed one left half done.
 *
 * <p>Chronicle Map's segment locks do not record their owner: a process killed inside one leaves
 * it held, and Chronicle's own repair needs every other process gone. So no process calls into
 * Chronicle without first holding the Hearth lock of that segment's stripe, a word in the store
 * file naming its owner (pid and process start time):
 *
 * <pre>
 *   stripe lock word:  0 free  |  start ticks (low 32 bits) << 32 | pid
 *   journal slot:      state (0 idle, 1 put, 2 remove) | key length | value length | key | value
 * </pre>
 *
 * Chronicle's lock is then only ever taken by the holder of our stripe, never waited on. Before a
 * write touches Chronicle, its holder records the whole write (key, value with its version) in the
 * stripe's journal slot; it clears the slot after Chronicle is done.
 *
 * <p>A process waiting for a stripe checks every millisecond whether the holder still runs. When
 * it is dead (pid gone, a zombie, or a different process start), the waiter becomes the recoverer:
 * it claims the recovery word in the header, takes every stripe (waiting for live holders, whose
 * critical sections are a few byte copies, and taking over dead ones), and, when some stripe had a
 * dead owner, runs the repair: Chronicle's segment recovery (locks reset, tables rebuilt from the
 * entries whose checksums hold), then every journaled write again, then the entry count recounted.
 * Only then are the stripes released. A recoverer that dies is itself a dead owner: the next
 * waiter starts over, and every step is safe to repeat.
 */
final class MapLocks {
    static final long IDLE = 0;
    static final long PUT = 1;
    static final long REMOVE = 2;

    /** How long a waiter spins before checking that the holder is alive; a dead holder delays others about this long. */
    private static final long LIVENESS_CHECK_NANOS = Duration.ofMillis(1).toNanos();
    /** A live holder's sections are microseconds; this long means it is stopped (SIGSTOP, debugger) or stuck. */
    static final Duration LIVE_HOLDER_LIMIT = Duration.ofSeconds(30);

    /** A write recorded in a journal slot, to be done again by the recoverer. */
    record Intent(int stripe, long kind, String compositeKey, byte[] value) {
    }

    /** Runs while the caller holds every stripe and some stripe's owner died. */
    interface Repair {
        /**
         * @param deadStripes the stripes taken over from dead owners: only their segments can be half done
         * @param journaled   the writes recorded in those stripes' journals
         */
        void repair(BitSet deadStripes, List<Intent> journaled);
    }

    private final StoreFile file;
    private final int stripes;
    private final long owner;
    private Repair repair;

    MapLocks(StoreFile file, long pid) {
        this.file = file;
        this.stripes = file.layout().lockStripes();
        this.owner = ownerWord(pid, Processes.startTicks(pid));
    }

    /** Set once, before the store is used: what to run after taking over a dead owner's stripe. */
    void repairWith(Repair repair) {
        this.repair = repair;
    }

    static long ownerWord(long pid, long startTicks) {
        return (startTicks & 0xFFFF_FFFFL) << 32 | (pid & 0xFFFF_FFFFL);
    }

    static boolean ownerAlive(long word) {
        long pid = word & 0xFFFF_FFFFL;
        long ticks = Processes.startTicks(pid);
        if (ticks == 0) {
            return Processes.isAlive(pid); // no /proc: the pid alone decides
        }
        return ticks > 0 && (ticks & 0xFFFF_FFFFL) == word >>> 32;
    }

    int stripes() {
        return stripes;
    }

    int stripeOf(int segmentIndex) {
        return segmentIndex % stripes;
    }

    /**
     * Takes the stripe, waiting while a live process holds it.
     *
     * @return true when taken; false when its holder is dead: the caller must let go of any
     *         Chronicle context, call {@link #recoverDeadOwners()}, and try again
     */
    boolean lock(int stripe) {
        return file.compareAndSetLong(file.lockSlotOffset(stripe), 0, owner) || acquire(stripe, false) != 0;
    }

    /**
     * Waits for the stripe while a live process holds it; checks the holder's liveness every millisecond.
     *
     * @return our owner word once taken; when the holder is dead, its word after taking the stripe
     *         over (takeOverDead) or 0 without taking it
     */
    private long acquire(int stripe, boolean takeOverDead) {
        int offset = file.lockSlotOffset(stripe);
        long start = System.nanoTime();
        long nextCheck = start + LIVENESS_CHECK_NANOS;
        for (int spins = 0; ; spins++) {
            long held = file.getLongVolatile(offset);
            if (held == 0) {
                if (file.compareAndSetLong(offset, 0, owner)) {
                    return owner;
                }
                continue;
            }
            pause(spins);
            long now = System.nanoTime();
            if (now - nextCheck >= 0) {
                nextCheck = now + LIVENESS_CHECK_NANOS;
                if (!ownerAlive(held)) {
                    if (!takeOverDead) {
                        return 0;
                    }
                    if (file.compareAndSetLong(offset, held, owner)) {
                        return held;
                    }
                } else if (held == file.getLongVolatile(StoreFile.RECOVERY_OWNER_OFFSET)) {
                    start = now; // a recoverer either finishes or gives up on its own limit: never time out on it
                } else if (now - start > LIVE_HOLDER_LIMIT.toNanos()) {
                    throw new HearthException("map lock stripe " + stripe + " of " + file.path() + " has been held for over "
                            + LIVE_HOLDER_LIMIT.toSeconds() + " s by process " + (held & 0xFFFF_FFFFL)
                            + ", which is alive but not running (stopped? being debugged?)");
                }
            }
        }
    }

    void unlock(int stripe) {
        file.setLongRelease(file.lockSlotOffset(stripe), 0);
    }

    /** Records a put before it touches Chronicle; the caller holds the stripe. */
    void journalPut(int stripe, String compositeKey, byte[] value) {
        journal(stripe, PUT, compositeKey, value);
    }

    /** Records a remove before it touches Chronicle; the caller holds the stripe. */
    void journalRemove(int stripe, String compositeKey) {
        journal(stripe, REMOVE, compositeKey, new byte[0]);
    }

    private void journal(int stripe, long kind, String compositeKey, byte[] value) {
        int slot = file.journalSlotOffset(stripe);
        byte[] key = compositeKey.getBytes(StandardCharsets.UTF_8);
        StoreFile.Layout layout = file.layout();
        if (key.length > layout.maxCompositeKeyBytes() || value.length > Long.BYTES + layout.maxValueBytes()) {
            throw new IllegalStateException("journal slot of " + file.path() + " holds keys of up to " + layout.maxCompositeKeyBytes()
                    + " bytes and values of up to " + (Long.BYTES + layout.maxValueBytes()) + ", got " + key.length + " and " + value.length);
        }
        file.setIntPlain(slot + StoreFile.JOURNAL_KEY_LENGTH, key.length);
        file.setIntPlain(slot + StoreFile.JOURNAL_VALUE_LENGTH, value.length);
        file.putBytes(slot + StoreFile.JOURNAL_KEY, key);
        file.putBytes(slot + StoreFile.JOURNAL_KEY + key.length, value);
        // Released after the bytes: a journal seen armed is complete.
        file.setLongRelease(slot + StoreFile.JOURNAL_STATE, kind);
    }

    /**
     * Clears the stripe's journal once Chronicle holds the write whole, its context closed; the
     * caller holds the stripe. Reads first, so calls that journaled nothing write nothing.
     */
    void clearJournal(int stripe) {
        int state = file.journalSlotOffset(stripe) + StoreFile.JOURNAL_STATE;
        if (file.getLongAcquire(state) != IDLE) {
            file.setLongRelease(state, IDLE);
        }
    }

    /** The journaled writes of every stripe; the caller holds every stripe, or no other process is attached. */
    List<Intent> journaled() {
        List<Intent> intents = new ArrayList<>();
        for (int stripe = 0; stripe < stripes; stripe++) {
            int slot = file.journalSlotOffset(stripe);
            long kind = file.getLongAcquire(slot + StoreFile.JOURNAL_STATE);
            if (kind == IDLE) {
                continue;
            }
            int keyLength = file.getIntPlain(slot + StoreFile.JOURNAL_KEY_LENGTH);
            int valueLength = file.getIntPlain(slot + StoreFile.JOURNAL_VALUE_LENGTH);
            String key = file.getUtf8(slot + StoreFile.JOURNAL_KEY, keyLength);
            byte[] value = file.getBytes(slot + StoreFile.JOURNAL_KEY + keyLength, valueLength);
            intents.add(new Intent(stripe, kind, key, value));
        }
        return intents;
    }

    /**
     * Called after {@link #lock} found a dead holder, with no stripe held and no Chronicle context
     * open. Returns once the dead holder's stripe is repaired and free, or another live process
     * is repairing it (the caller then waits in {@link #lock} as usual).
     */
    void recoverDeadOwners() {
        long recovering = file.getLongVolatile(StoreFile.RECOVERY_OWNER_OFFSET);
        if (recovering != 0 && (recovering == owner || ownerAlive(recovering))) {
            LockSupport.parkNanos(LIVENESS_CHECK_NANOS);
            return;
        }
        if (!file.compareAndSetLong(StoreFile.RECOVERY_OWNER_OFFSET, recovering, owner)) {
            return;
        }
        // Per stripe: 0 not taken yet, the owner word when taken from a live or free state, else the dead owner's word.
        long[] takenFrom = new long[stripes];
        boolean repaired = false;
        try {
            BitSet deadStripes = new BitSet(stripes);
            for (int stripe = 0; stripe < stripes; stripe++) {
                takenFrom[stripe] = acquire(stripe, true);
                deadStripes.set(stripe, takenFrom[stripe] != owner);
            }
            if (!deadStripes.isEmpty()) {
                repair.repair(deadStripes, journaled());
                for (int stripe = 0; stripe < stripes; stripe++) {
                    clearJournal(stripe);
                }
                file.getAndAddLong(StoreFile.LIVE_RECOVERIES_OFFSET, 1);
            }
            repaired = true;
        } finally {
            for (int stripe = 0; stripe < stripes; stripe++) {
                if (takenFrom[stripe] == 0) {
                    continue;
                }
                // A failed repair hands dead owners' stripes back to them, so the next waiter tries again.
                long release = repaired || takenFrom[stripe] == owner ? 0 : takenFrom[stripe];
                file.setLongRelease(file.lockSlotOffset(stripe), release);
            }
            file.setLongRelease(StoreFile.RECOVERY_OWNER_OFFSET, 0);
        }
    }

    /** Forgets every owner and journal: only when no other process is attached, after the entries were repaired. */
    void resetAll() {
        for (int stripe = 0; stripe < stripes; stripe++) {
            clearJournal(stripe);
            unlock(stripe);
        }
        file.setLongRelease(StoreFile.RECOVERY_OWNER_OFFSET, 0);
    }

    /** Whether any stripe or the recovery word has an owner; with no process attached, a dead one. */
    boolean anyHeld() {
        for (int stripe = 0; stripe < stripes; stripe++) {
            if (file.getLongVolatile(file.lockSlotOffset(stripe)) != 0) {
                return true;
            }
        }
        return file.getLongVolatile(StoreFile.RECOVERY_OWNER_OFFSET) != 0;
    }

    /** Adds a line for each stripe held by a process that is gone. */
    void check(List<String> problems) {
        for (int stripe = 0; stripe < stripes; stripe++) {
            long held = file.getLongVolatile(file.lockSlotOffset(stripe));
            if (held != 0 && !ownerAlive(held)) {
                problems.add("map lock stripe " + stripe + " is held by process " + (held & 0xFFFF_FFFFL)
                        + ", which is gone (the next process to need it repairs the map)");
            }
        }
    }

    long liveRecoveries() {
        return file.getLongVolatile(StoreFile.LIVE_RECOVERIES_OFFSET);
    }

    private static void pause(int spins) {
        if (spins < 100) {
            Thread.onSpinWait();
        } else if (spins < 200) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(20_000);
        }
    }
}
