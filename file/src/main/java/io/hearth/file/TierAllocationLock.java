package io.hearth.file;

import io.hearth.HearthException;
import io.hearth.StoreBusyException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Path;
import net.openhft.chronicle.algo.bytes.Access;
import net.openhft.chronicle.algo.locks.LockingStrategy;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;

/**
 * Chronicle's map-wide lock over one shard's tier allocation (its "global mutable state" lock),
 * taken and waited for the way Hearth's stripes are. Chronicle takes it only inside a segment lock,
 * so only a holder of one of our stripes ever holds it; but Chronicle's own acquisition spins for
 * 2 s and then fails, and does not record its owner. A process killed holding it leaves it held,
 * and a writer of another segment of the shard, holding its own stripe, would spin on it while
 * nobody repairs (the repair needs that writer's stripe too). So Hearth never spins on it blindly:
 * while it is held, it checks every millisecond whether a stripe holder has died, and if one has,
 * throws {@link HolderDiedException} so the writer lets go of its stripe and the repair, which
 * resets this lock, can run.
 */
final class TierAllocationLock {
    private static final long LIVENESS_CHECK_NANOS = 1_000_000L;
    private static final LockingStrategy STRATEGY = lockingStrategy();

    private final Path path;
    private final long address;

    TierAllocationLock(VanillaChronicleHash<?, ?, ?, ?> hash, Path path) {
        this.path = path;
        this.address = globalMutableStateAddress(hash);
    }

    /** Takes the lock; see the class comment for what happens while it is held. */
    void lock(MapLockTable locks) {
        Access<Object> access = Access.nativeAccess();
        waitWhile(() -> !STRATEGY.tryLock(access, null, address), locks);
    }

    void unlock() {
        STRATEGY.unlock(Access.nativeAccess(), null, address);
    }

    /**
     * Returns once nobody holds the lock, so Chronicle's own acquisition, inside the write that
     * follows, finds it free unless a live process takes it in between.
     */
    void awaitFree(MapLockTable locks) {
        Access<Object> access = Access.nativeAccess();
        waitWhile(() -> STRATEGY.isLocked(STRATEGY.getState(access, null, address)), locks);
    }

    private void waitWhile(java.util.function.BooleanSupplier held, MapLockTable locks) {
        long start = System.nanoTime();
        long nextCheck = start + LIVENESS_CHECK_NANOS;
        for (int spins = 0; held.getAsBoolean(); spins++) {
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
            long now = System.nanoTime();
            if (now - nextCheck >= 0) {
                nextCheck = now + LIVENESS_CHECK_NANOS;
                if (locks.anyHolderDead()) {
                    throw new HolderDiedException();
                }
                if (now - start > MapLockTable.LIVE_HOLDER_LIMIT.toNanos()) {
                    throw new StoreBusyException("the tier allocation lock of " + path + " has been held for over "
                            + MapLockTable.LIVE_HOLDER_LIMIT.toSeconds() + " s by a live process (stopped? being debugged?)");
                }
            }
        }
    }

    private static LockingStrategy lockingStrategy() {
        try {
            Field field = VanillaChronicleHash.class.getDeclaredField("GLOBAL_MUTABLE_STATE_LOCKING_STRATEGY");
            field.setAccessible(true);
            return (LockingStrategy) field.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new HearthException("this Chronicle Map has no tier allocation lock where Hearth expects it: " + e, e);
        }
    }

    private static long globalMutableStateAddress(VanillaChronicleHash<?, ?, ?, ?> hash) {
        try {
            Method method = VanillaChronicleHash.class.getDeclaredMethod("globalMutableStateAddress");
            method.setAccessible(true);
            return (long) method.invoke(hash);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new HearthException("cannot find the tier allocation lock of a Chronicle map: " + e, e);
        }
    }
}
