package io.hearth.file;

import io.hearth.StoreFullException;
import io.hearth.internal.Names;
import io.hearth.spi.Processes;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

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

    /** The offset of the value of the named counter, or -1 when no process has created it. Claims nothing. */
    int findValueOffset(String name) {
        byte[] nameBytes = Names.utf8(name, "counter name", StoreFile.MAX_COUNTER_NAME_BYTES, "counter name limit");
        int start = Math.floorMod(mix(name.hashCode()), slots);
        for (int probe = 0; probe < slots; probe++) {
            int slot = file.counterSlotOffset((start + probe) % slots);
            int state = file.getIntAcquire(slot + StoreFile.COUNTER_STATE);
            if (state == 0) {
                return -1;
            }
            // A slot still being named reads as absent: its value is zero until then anyway.
            if (state == READY && file.getIntPlain(slot + StoreFile.COUNTER_NAME_LENGTH) == nameBytes.length
                    && file.bytesEqual(slot + StoreFile.COUNTER_NAME, nameBytes)) {
                return slot + StoreFile.COUNTER_VALUE;
            }
        }
        return -1;
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

    /** Adds a line to problems for each damaged slot; returns the number of names. */
    int check(List<String> problems) {
        Map<String, Integer> seen = new HashMap<>();
        for (int slot = 0; slot < slots; slot++) {
            int offset = file.counterSlotOffset(slot);
            int state = file.getIntAcquire(offset + StoreFile.COUNTER_STATE);
            if (state == 0) {
                continue;
            }
            if (state < 0) {
                problems.add("counter slot " + slot + " is being named by process " + (-state)
                        + (Processes.isAlive(-state) ? "" : ", which is dead (the next lookup through it takes it over)"));
                continue;
            }
            int length = file.getIntPlain(offset + StoreFile.COUNTER_NAME_LENGTH);
            if (state != READY || length < 1 || length > StoreFile.MAX_COUNTER_NAME_BYTES) {
                problems.add("counter slot " + slot + " has state " + state + " and name length " + length);
                continue;
            }
            String name;
            try {
                name = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(file.getBytes(offset + StoreFile.COUNTER_NAME, length))).toString();
            } catch (CharacterCodingException e) {
                problems.add("counter slot " + slot + " has a name that is not UTF-8");
                continue;
            }
            Integer earlier = seen.put(name, slot);
            if (earlier != null) {
                problems.add("counter '" + name + "' is in slots " + earlier + " and " + slot);
            }
            int home = Math.floorMod(mix(name.hashCode()), slots);
            for (int probe = home; probe != slot; probe = (probe + 1) % slots) {
                if (file.getIntAcquire(file.counterSlotOffset(probe) + StoreFile.COUNTER_STATE) == 0) {
                    problems.add("counter '" + name + "' in slot " + slot + " is unreachable: slot " + probe
                            + " between it and its home slot " + home + " is free");
                    break;
                }
            }
        }
        return seen.size();
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
            // Naming takes microseconds; a longer wait means that process is stopped: stop spinning.
            if (waitingSince != 0 && now - waitingSince > CLAIM_CHECK_NANOS) {
                LockSupport.parkNanos(100_000);
            } else {
                Thread.onSpinWait();
            }
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
