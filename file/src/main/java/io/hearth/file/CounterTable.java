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
 * <pre>
 *   counter slots x {@link #SLOT_LENGTH} bytes, from {@link StoreLayout#counterTableOffset()}
 *   0 state (int): 0 free, -pid while that process writes the name, 1 ready
 *   4 name length (int)   8 value (long)   16 name, UTF-8, up to {@link #MAX_NAME_BYTES} bytes
 * </pre>
 *
 * <p>A slot is claimed by compare-and-set of its state from free to {@code -pid}; the claimer
 * writes the name and then releases state {@code 1}. A process that finds a slot claimed by a
 * dead process takes the claim over, so a crash while naming a counter blocks nobody. Names are
 * never freed: a deleted counter is reset to zero and keeps its slot.
 */
final class CounterTable {
    static final int SLOT_LENGTH = 128;
    static final int STATE = 0;
    static final int NAME_LENGTH = STATE + Integer.BYTES;
    static final int VALUE = NAME_LENGTH + Integer.BYTES;
    static final int NAME = VALUE + Long.BYTES;
    static final int MAX_NAME_BYTES = SLOT_LENGTH - NAME;

    private static final int READY = 1;
    private static final long CLAIM_CHECK_NANOS = Duration.ofMillis(10).toNanos();

    private final MappedFile file;
    private final int tableOffset;
    private final int slots;
    private final int pid;

    CounterTable(StoreFile store, long pid) {
        this.file = store.mapped();
        this.tableOffset = Math.toIntExact(store.layout().counterTableOffset());
        this.slots = store.layout().counterSlots();
        this.pid = Math.toIntExact(pid);
    }

    int slotOffset(int slot) {
        return tableOffset + slot * SLOT_LENGTH;
    }

    /** The offset of the value of the named counter, claiming a slot for a new name. */
    int valueOffset(String name) {
        byte[] nameBytes = Names.utf8(name, "counter name", MAX_NAME_BYTES, "counter name limit");
        int start = Math.floorMod(mix(name.hashCode()), slots);
        for (int probe = 0; probe < slots; probe++) {
            int slot = slotOffset((start + probe) % slots);
            if (claimOrMatch(slot, nameBytes)) {
                return slot + VALUE;
            }
        }
        throw new StoreFullException("no room for counter '" + name + "': all " + slots
                + " counter slots are in use (maxCounters=" + slots + ") in " + file.path());
    }

    /** The offset of the value of the named counter, or -1 when no process has created it. Claims nothing. */
    int findValueOffset(String name) {
        byte[] nameBytes = Names.utf8(name, "counter name", MAX_NAME_BYTES, "counter name limit");
        int start = Math.floorMod(mix(name.hashCode()), slots);
        for (int probe = 0; probe < slots; probe++) {
            int slot = slotOffset((start + probe) % slots);
            int state = file.getIntAcquire(slot + STATE);
            if (state == 0) {
                return -1;
            }
            // A slot still being named reads as absent: its value is zero until then anyway.
            if (state == READY && file.getIntPlain(slot + NAME_LENGTH) == nameBytes.length
                    && file.bytesEqual(slot + NAME, nameBytes)) {
                return slot + VALUE;
            }
        }
        return -1;
    }

    /** Number of named counters. */
    int used() {
        int used = 0;
        for (int slot = 0; slot < slots; slot++) {
            if (file.getIntAcquire(slotOffset(slot) + STATE) != 0) {
                used++;
            }
        }
        return used;
    }

    /** Adds a line to problems for each damaged slot; returns the number of names. */
    int check(List<String> problems) {
        Map<String, Integer> seen = new HashMap<>();
        for (int slot = 0; slot < slots; slot++) {
            int offset = slotOffset(slot);
            int state = file.getIntAcquire(offset + STATE);
            if (state == 0) {
                continue;
            }
            if (state < 0) {
                problems.add("counter slot " + slot + " is being named by process " + (-state)
                        + (Processes.isAlive(-state) ? "" : ", which is dead (the next lookup through it takes it over)"));
                continue;
            }
            int length = file.getIntPlain(offset + NAME_LENGTH);
            if (state != READY || length < 1 || length > MAX_NAME_BYTES) {
                problems.add("counter slot " + slot + " has state " + state + " and name length " + length);
                continue;
            }
            String name;
            try {
                name = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(file.getBytes(offset + NAME, length))).toString();
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
                if (file.getIntAcquire(slotOffset(probe) + STATE) == 0) {
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
            int state = file.getIntAcquire(slot + STATE);
            if (state == READY) {
                return file.getIntPlain(slot + NAME_LENGTH) == name.length
                        && file.bytesEqual(slot + NAME, name);
            }
            if (state == 0) {
                if (file.compareAndSetInt(slot + STATE, 0, -pid)) {
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
                    && file.compareAndSetInt(slot + STATE, state, -pid)) {
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
        file.putBytes(slot + NAME, name);
        file.setIntPlain(slot + NAME_LENGTH, name.length);
        file.setLongVolatile(slot + VALUE, 0);
        file.setIntRelease(slot + STATE, READY);
    }

    private static int mix(int hash) {
        int h = hash * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
