package io.hearth.file;

import io.hearth.StoreBusyException;
import io.hearth.spi.Processes;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The locks that guard the entries file. Chronicle Map's segment locks do not record their owner:
 * a process killed inside one leaves it held, and Chronicle's own repair needs every other process
 * gone. So no process calls into Chronicle without first holding the Hearth lock of that segment's
 * stripe, a word in the store file naming its owner (pid and process start time):
 *
 * <pre>
 *   lock stripes x {@link #SLOT_LENGTH} bytes, from {@link StoreLayout#lockTableOffset()}
 *   0 owner word (long): 0 free, else process start (clock ticks since boot, low 32 bits) &lt;&lt; 32 | pid
 * </pre>
 *
 * Chronicle's lock is then only ever taken by the holder of our stripe, never waited on. Writes
 * are recorded in the {@link RedoJournal} first, so a dead holder's write can be finished.
 *
 * <p>A process waiting for a stripe checks every millisecond whether the holder still runs. When
 * it is dead (pid gone, a zombie, or a different process start), the waiter becomes the recoverer
 * ({@link #repairAfterDeadHolder()}): it claims the recovery word in the header, takes every stripe
 * (waiting for live holders, whose critical sections are a few byte copies, and taking over dead
 * ones), and, when some stripe had a dead owner, runs the {@link Repair} it was built with. Only
 * then are the stripes released. A recoverer that dies is itself a dead owner: the next waiter
 * starts over, and every step of the repair is safe to repeat.
 */
final class MapLockTable {
    static final int SLOT_LENGTH = 64;
    /** How long a waiter spins before checking that the holder is alive; a dead holder delays others about this long. */
    private static final long LIVENESS_CHECK_NANOS = Duration.ofMillis(1).toNanos();
    /** A live holder's sections are microseconds; this long means it is stopped (SIGSTOP, debugger) or stuck. */
    static final Duration LIVE_HOLDER_LIMIT = Duration.ofSeconds(30);

    /** What to do, holding every stripe, once some stripe's owner, or the last maintainer, is found dead. */
    interface Repair {
        /**
         * @param deadStripes the stripes taken over from dead owners: only their segments can be half done
         *                    (none when only a maintainer that held no stripe yet died)
         */
        void repair(BitSet deadStripes);
    }

    /** What {@link #await} does on finding the holder dead. */
    private enum OnDeadHolder { GIVE_UP, TAKE_OVER }

    private final MappedFile file;
    private final StoreHeader header;
    private final int tableOffset;
    private final int stripes;
    private final long owner;
    private final Repair repair;

    /**
     * @param pid    this process: its owner word is what the stripes it holds say
     * @param repair what to run after taking over a dead owner's stripe
     */
    MapLockTable(StoreFile store, long pid, Repair repair) {
        this.file = store.mapped();
        this.header = store.header();
        this.tableOffset = Math.toIntExact(store.layout().lockTableOffset());
        this.stripes = store.layout().lockStripes();
        this.owner = ownerWord(pid, Processes.startTicks(pid));
        this.repair = repair;
    }

    /**
     * The table for code that only inspects or resets it, with nobody else attached (the
     * recovery of an open) or without taking part in repairs (the check): a dead holder found
     * there is the caller's to handle, so {@link #repairAfterDeadHolder()} must not be called.
     */
    static MapLockTable withoutRepair(StoreFile store, long pid) {
        return new MapLockTable(store, pid, deadStripes -> {
            throw new IllegalStateException("map locks of " + store.path() + " were opened without a repair");
        });
    }

    static long ownerWord(long pid, long startTicks) {
        return (startTicks & 0xFFFF_FFFFL) << 32 | (pid & 0xFFFF_FFFFL);
    }

    static long pidOf(long ownerWord) {
        return ownerWord & 0xFFFF_FFFFL;
    }

    static boolean ownerAlive(long word) {
        long pid = pidOf(word);
        long ticks = Processes.startTicks(pid);
        if (ticks == 0) {
            return Processes.isAlive(pid); // no /proc: the pid alone decides
        }
        return ticks > 0 && (ticks & 0xFFFF_FFFFL) == word >>> 32;
    }

    private int slotOffset(int stripe) {
        return tableOffset + stripe * SLOT_LENGTH;
    }

    int stripes() {
        return stripes;
    }

    /** The stripe that guards a segment of a shard of the entries ({@link EntryShards}). */
    static int stripeOf(int shard, int segmentIndex, int stripes) {
        return (shard + segmentIndex) % stripes;
    }

    int stripeOf(int shard, int segmentIndex) {
        return stripeOf(shard, segmentIndex, stripes);
    }

    /**
     * Takes the stripe, waiting while a live process holds it.
     *
     * @return true when taken; false when its holder is dead: the caller must let go of any
     *         Chronicle context, call {@link #repairAfterDeadHolder()}, and try again
     */
    boolean lock(int stripe) {
        return file.compareAndSetLong(slotOffset(stripe), 0, owner) || await(stripe, OnDeadHolder.GIVE_UP) != 0;
    }

    void unlock(int stripe) {
        file.setLongRelease(slotOffset(stripe), 0);
    }

    /**
     * Waits for the stripe while a live process holds it; checks the holder's liveness every millisecond.
     *
     * @return our owner word once taken; when the holder is dead, its word after taking the stripe
     *         over ({@link OnDeadHolder#TAKE_OVER}) or 0 without taking it
     */
    private long await(int stripe, OnDeadHolder onDeadHolder) {
        int offset = slotOffset(stripe);
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
                    if (onDeadHolder == OnDeadHolder.GIVE_UP) {
                        return 0;
                    }
                    if (file.compareAndSetLong(offset, held, owner)) {
                        return held;
                    }
                } else if (held == header.recoveryOwner()) {
                    start = now; // a recoverer either finishes or gives up on its own limit: never time out on it
                } else if (now - start > LIVE_HOLDER_LIMIT.toNanos()) {
                    throw new StoreBusyException("map lock stripe " + stripe + " of " + file.path() + " has been held for over "
                            + LIVE_HOLDER_LIMIT.toSeconds() + " s by process " + pidOf(held)
                            + ", which is alive but not running (stopped? being debugged?)");
                }
            }
        }
    }

    /**
     * Called after {@link #lock} found a dead holder, with no stripe held and no Chronicle context
     * open. Returns once the dead holder's stripe is repaired and free, or another live process
     * is repairing it (the caller then waits in {@link #lock} as usual).
     */
    void repairAfterDeadHolder() {
        runWithEveryStripe(null);
    }

    /**
     * Takes every stripe, repairs after any dead holder met on the way, runs work (maintenance of
     * the whole entries, such as a shard split; may be null), and releases them. The caller holds
     * no stripe and no Chronicle context. While it runs, every other map call waits; a process that
     * dies running it is a dead holder of every stripe, so the next waiter repairs after it.
     *
     * @return false without running work when another live process holds the maintenance word:
     *         the caller waits for it as for any holder and tries again
     */
    boolean runWithEveryStripe(Runnable work) {
        long recovering = header.recoveryOwner();
        if (recovering != 0 && (recovering == owner || ownerAlive(recovering))) {
            LockSupport.parkNanos(LIVENESS_CHECK_NANOS);
            return false;
        }
        if (!header.compareAndSetRecoveryOwner(recovering, owner)) {
            return false;
        }
        // Per stripe: 0 not taken yet, the owner word when taken from a live or free state, else the dead owner's word.
        long[] takenFrom = new long[stripes];
        boolean repaired = false;
        try {
            BitSet deadStripes = new BitSet(stripes);
            for (int stripe = 0; stripe < stripes; stripe++) {
                takenFrom[stripe] = await(stripe, OnDeadHolder.TAKE_OVER);
                deadStripes.set(stripe, takenFrom[stripe] != owner);
            }
            if (!deadStripes.isEmpty() || recovering != 0) {
                repair.repair(deadStripes);
                header.countLiveRecovery();
            }
            repaired = true;
            if (work != null) {
                work.run();
            }
        } finally {
            for (int stripe = 0; stripe < stripes; stripe++) {
                if (takenFrom[stripe] == 0) {
                    continue;
                }
                // A failed repair hands dead owners' stripes back to them, so the next waiter tries again.
                long release = repaired || takenFrom[stripe] == owner ? 0 : takenFrom[stripe];
                file.setLongRelease(slotOffset(stripe), release);
            }
            header.releaseRecoveryOwner();
        }
        return true;
    }

    /** Frees every stripe and the recovery word: only when no other process is attached, after the entries were repaired. */
    void releaseAll() {
        for (int stripe = 0; stripe < stripes; stripe++) {
            unlock(stripe);
        }
        header.releaseRecoveryOwner();
    }

    /** Whether any stripe or the recovery word has an owner; with no process attached, a dead one. */
    boolean anyHeld() {
        for (int stripe = 0; stripe < stripes; stripe++) {
            if (file.getLongVolatile(slotOffset(stripe)) != 0) {
                return true;
            }
        }
        return header.recoveryOwner() != 0;
    }

    /**
     * Whether any stripe, or the recovery word, is held by a process that is gone: the holder of a
     * stripe that waits for something only another stripe's holder takes asks this every millisecond.
     */
    boolean anyHolderDead() {
        for (int stripe = 0; stripe < stripes; stripe++) {
            long held = file.getLongVolatile(slotOffset(stripe));
            if (held != 0 && held != owner && !ownerAlive(held)) {
                return true;
            }
        }
        long recovering = header.recoveryOwner();
        return recovering != 0 && recovering != owner && !ownerAlive(recovering);
    }

    /** The owner word of the stripe's holder, 0 when free. */
    long holder(int stripe) {
        return file.getLongVolatile(slotOffset(stripe));
    }

    /** Adds a line for each stripe held by a process that is gone. */
    void check(List<String> problems) {
        for (int stripe = 0; stripe < stripes; stripe++) {
            long held = holder(stripe);
            if (held != 0 && !ownerAlive(held)) {
                problems.add("map lock stripe " + stripe + " is held by process " + pidOf(held)
                        + ", which is gone (the next process to need it repairs the map)");
            }
        }
    }

    /** Spins, then yields, then parks: how a waiter for a word another process holds passes the time. */
    static void pause(int spins) {
        if (spins < 100) {
            Thread.onSpinWait();
        } else if (spins < 200) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(20_000);
        }
    }
}
