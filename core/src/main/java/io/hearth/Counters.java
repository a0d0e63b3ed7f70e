package io.hearth;

import java.time.Duration;

/**
 * The counter table of the store file: an open-addressing hash table of named slots, each holding
 * one long that processes update with single atomic instructions.
 *
 * <p>A slot is claimed by compare-and-set of its state from free to {@code -pid}; the claimer
 * writes the name and then releases state {@code 1}. A process that finds a slot claimed by a
 * dead process takes the claim over, so a crash while naming a counter blocks nobody. Names are
 * never freed: a deleted counter is reset to zero and keeps its slot.
 */
final class Counters {
    private static final int READY = 1;
    private static final long CLAIM_CHECK_NANOS = Duration.ofMillis(10).toNanos();

    private final StoreFile file;
    private final int slots;
    private final int pid;

    Counters(StoreFile file, long pid) {
        this.file = file;
        this.slots = file.layout().counterSlots();
        this.pid = Math.toIntExact(pid);
    }

    /** The offset of the value of the named counter, claiming a slot for a new name. */
    int valueOffset(String name) {
        byte[] nameBytes = Names.utf8(name, "counter name", StoreFile.MAX_COUNTER_NAME_BYTES, "counter name limit");
        int start = Math.floorMod(mix(name.hashCode()), slots);
        for (int probe = 0; probe < slots; probe++) {
            int slot = file.counterSlotOffset((start + probe) % slots);
            if (claimOrMatch(slot, nameBytes)) {
                return slot + StoreFile.COUNTER_VALUE;
            }
        }
        throw new StoreFullException("no room for counter '" + name + "': all " + slots
                + " counter slots are in use (maxCounters=" + slots + ") in " + file.path());
    }

    /** Number of named counters. */
    int used() {
        int used = 0;
        for (int slot = 0; slot < slots; slot++) {
            if (file.getIntAcquire(file.counterSlotOffset(slot) + StoreFile.COUNTER_STATE) != 0) {
                used++;
            }
        }
        return used;
    }

    /** True when this slot now holds the name, false when it holds another one. */
    private boolean claimOrMatch(int slot, byte[] name) {
        long waitingSince = 0;
        while (true) {
            int state = file.getIntAcquire(slot + StoreFile.COUNTER_STATE);
            if (state == READY) {
                return file.getIntPlain(slot + StoreFile.COUNTER_NAME_LENGTH) == name.length
                        && file.bytesEqual(slot + StoreFile.COUNTER_NAME, name);
            }
            if (state == 0) {
                if (file.compareAndSetInt(slot + StoreFile.COUNTER_STATE, 0, -pid)) {
                    writeName(slot, name);
                    return true;
                }
                continue;
            }
            // Another process is naming this slot: it takes microseconds unless that process died.
            long now = System.nanoTime();
            if (waitingSince == 0) {
                waitingSince = now;
            } else if (now - waitingSince > CLAIM_CHECK_NANOS && !Processes.isAlive(-state)
                    && file.compareAndSetInt(slot + StoreFile.COUNTER_STATE, state, -pid)) {
                writeName(slot, name);
                return true;
            }
            Thread.onSpinWait();
        }
    }

    private void writeName(int slot, byte[] name) {
        file.putBytes(slot + StoreFile.COUNTER_NAME, name);
        file.setIntPlain(slot + StoreFile.COUNTER_NAME_LENGTH, name.length);
        file.setLongVolatile(slot + StoreFile.COUNTER_VALUE, 0);
        file.setIntRelease(slot + StoreFile.COUNTER_STATE, READY);
    }

    private static int mix(int hash) {
        int h = hash * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
