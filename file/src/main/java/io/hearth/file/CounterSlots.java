package io.hearth.file;

import io.hearth.spi.Processes;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One counter table: an open-addressing hash table of named slots, each holding one long that
 * processes update with single atomic instructions. Table 0 lies in the store file; overflow
 * tables in files of their own ({@link CounterTables}).
 *
 * <pre>
 *   slots x {@link #SLOT_LENGTH} bytes, from the table's offset (a multiple of 64, so that
 *   state, value and expiry share a cache line)
 *   0 state (int): 0 free (never used); -pid while that process names or removes the counter;
 *     a positive incarnation once named; {@link #TOMBSTONE} once removed
 *   4 name length (int)   8 value (long)   16 expires at (long): epoch ms, 0 for never
 *  24 name, UTF-8, up to {@link #MAX_NAME_BYTES} bytes; in a tombstone: 24 removed at, epoch ms (long)
 * 136 unused, to 160
 * </pre>
 *
 * <p>A name lives within {@link #MAX_PROBE} slots of its home slot (its hash), in the first table
 * that had room there. A free slot is never used again once named, so a lookup that meets one
 * knows the name is in no later table either. Slots are named and removed only under the naming
 * lock; lookups and counter operations take no lock. A counter past its expiry is absent to every
 * reader; the naming lock's holder makes it a tombstone (naming it again, or sweeping).
 */
final class CounterSlots {
    static final int SLOT_LENGTH = 160;
    static final int STATE = 0;
    static final int NAME_LENGTH = STATE + Integer.BYTES;
    static final int VALUE = NAME_LENGTH + Integer.BYTES;
    static final int EXPIRES_AT = VALUE + Long.BYTES;
    static final int NAME = EXPIRES_AT + Long.BYTES;
    static final int REMOVED_AT = NAME;
    static final int MAX_NAME_BYTES = 112;
    static final int FREE = 0;
    static final int TOMBSTONE = Integer.MIN_VALUE;
    /** How far from its home slot a name may lie in one table before it goes to the next. */
    static final int MAX_PROBE = 32;

    /** What a walk of this table found for a name. */
    record Probe(int matchOffset, int matchIncarnation, int reusableOffset, boolean metFree) {
    }

    private final MappedFile file;
    private final int tableOffset;
    private final int slots;
    private final int index;

    CounterSlots(MappedFile file, int tableOffset, int slots, int index) {
        this.file = file;
        this.tableOffset = tableOffset;
        this.slots = slots;
        this.index = index;
    }

    MappedFile file() {
        return file;
    }

    int slots() {
        return slots;
    }

    int slotOffset(int slot) {
        return tableOffset + slot * SLOT_LENGTH;
    }

    int state(int slotOffset) {
        return file.getIntAcquire(slotOffset + STATE);
    }

    /**
     * Walks the name's probe window.
     *
     * @param graceMillis a tombstone removed this recently is not reusable (a handle of the removed
     *                    counter may still be about to write it); -1 when no reusable slot is wanted
     */
    Probe probe(byte[] name, int hash, long graceMillis) {
        int home = Math.floorMod(hash, slots);
        int reusable = -1;
        long now = System.currentTimeMillis();
        for (int probe = 0; probe < Math.min(MAX_PROBE, slots); probe++) {
            int offset = slotOffset((home + probe) % slots);
            int state = state(offset);
            if (state == FREE) {
                return new Probe(-1, 0, reusable >= 0 ? reusable : offset, true);
            }
            if (state > 0 && matches(offset, name)) {
                return new Probe(offset, state, -1, false);
            }
            if (state == TOMBSTONE && reusable < 0 && graceMillis >= 0
                    && now - file.getLongVolatile(offset + REMOVED_AT) >= graceMillis) {
                reusable = offset;
            }
        }
        return new Probe(-1, 0, reusable, false);
    }

    private boolean matches(int offset, byte[] name) {
        return file.getIntPlain(offset + NAME_LENGTH) == name.length && file.bytesEqual(offset + NAME, name);
    }

    /** When the slot's counter expires, epoch ms; 0 for never. */
    long expiresAt(int slotOffset) {
        return file.getLongVolatile(slotOffset + EXPIRES_AT);
    }

    /** Sets when the slot's counter expires; the caller holds the naming lock and found it live. */
    void setExpiresAt(int slotOffset, long expiresAt) {
        file.setLongVolatile(slotOffset + EXPIRES_AT, expiresAt);
    }

    /**
     * Names the slot, its counter at zero expiring at expiresAt (0: never); the caller holds the
     * naming lock and chose a free or reusable slot.
     */
    void name(int offset, byte[] name, int incarnation, int pid, long expiresAt) {
        file.setIntVolatile(offset + STATE, -pid);
        file.putBytes(offset + NAME, name);
        file.setIntPlain(offset + NAME_LENGTH, name.length);
        file.setLongVolatile(offset + VALUE, 0);
        file.setLongVolatile(offset + EXPIRES_AT, expiresAt);
        file.setIntRelease(offset + STATE, incarnation);
    }

    /** Makes the slot a tombstone; the caller holds the naming lock. */
    void remove(int offset, int pid) {
        file.setIntVolatile(offset + STATE, -pid);
        file.setLongVolatile(offset + VALUE, 0);
        file.setLongVolatile(offset + EXPIRES_AT, 0);
        file.setIntPlain(offset + NAME_LENGTH, 0);
        file.setLongVolatile(offset + REMOVED_AT, System.currentTimeMillis());
        file.setIntRelease(offset + STATE, TOMBSTONE);
    }

    /**
     * Turns the slots a dead namer left half named or half removed into tombstones that may be
     * reused at once; the caller took the naming lock over from that process.
     */
    int tidyAfterDeadNamer() {
        int tidied = 0;
        for (int slot = 0; slot < slots; slot++) {
            int offset = slotOffset(slot);
            int state = state(offset);
            if (state < 0 && state != TOMBSTONE && !Processes.isAlive(-state)) {
                file.setLongVolatile(offset + VALUE, 0);
                file.setLongVolatile(offset + REMOVED_AT, 0);
                file.setIntRelease(offset + STATE, TOMBSTONE);
                tidied++;
            }
        }
        return tidied;
    }

    /** The names in slots from..to (exclusive) whose counters expired by nowMillis; reads without the lock. */
    List<String> expiredNames(int from, int to, long nowMillis) {
        List<String> expired = new java.util.ArrayList<>();
        for (int slot = from; slot < Math.min(to, slots); slot++) {
            int offset = slotOffset(slot);
            if (state(offset) > 0) {
                long expiresAt = expiresAt(offset);
                int length = file.getIntPlain(offset + NAME_LENGTH);
                if (expiresAt != 0 && nowMillis >= expiresAt && length >= 1 && length <= MAX_NAME_BYTES) {
                    expired.add(file.getUtf8(offset + NAME, length));
                }
            }
        }
        return expired;
    }

    /** The names in this table of counters live at nowMillis (named and not expired); reads without the lock. */
    List<String> liveNames(long nowMillis) {
        List<String> names = new java.util.ArrayList<>();
        for (int slot = 0; slot < slots; slot++) {
            int offset = slotOffset(slot);
            int state = state(offset);
            if (state > 0) {
                long expiresAt = expiresAt(offset);
                int length = file.getIntPlain(offset + NAME_LENGTH);
                if ((expiresAt == 0 || nowMillis < expiresAt) && length >= 1 && length <= MAX_NAME_BYTES) {
                    String name = file.getUtf8(offset + NAME, length);
                    if (state(offset) == state) { // not removed and named again while the name was read
                        names.add(name);
                    }
                }
            }
        }
        return names;
    }

    /** Adds a line for each damaged slot and each name seen twice; adds the names to seen; returns how many names. */
    int check(List<String> problems, Map<String, String> seen, CounterHash hash) {
        int names = 0;
        for (int slot = 0; slot < slots; slot++) {
            int offset = slotOffset(slot);
            int state = state(offset);
            if (state == FREE || state == TOMBSTONE) {
                continue;
            }
            String where = "counter table " + index + " slot " + slot;
            if (state < 0) {
                problems.add(where + " is being named by process " + (-state)
                        + (Processes.isAlive(-state) ? "" : ", which is dead (the next naming tidies it)"));
                continue;
            }
            int length = file.getIntPlain(offset + NAME_LENGTH);
            if (length < 1 || length > MAX_NAME_BYTES) {
                problems.add(where + " has name length " + length);
                continue;
            }
            String name;
            try {
                name = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(file.getBytes(offset + NAME, length))).toString();
            } catch (CharacterCodingException e) {
                problems.add(where + " has a name that is not UTF-8");
                continue;
            }
            names++;
            String earlier = seen.put(name, where);
            if (earlier != null) {
                problems.add("counter '" + name + "' is in " + earlier + " and " + where);
            }
            int home = Math.floorMod(hash.of(name), slots);
            int distance = Math.floorMod(slot - home, slots);
            if (distance >= MAX_PROBE) {
                problems.add("counter '" + name + "' in " + where + " is " + distance + " slots from its home slot " + home
                        + ", beyond the " + MAX_PROBE + " a lookup walks");
                continue;
            }
            for (int probe = home; probe != slot; probe = (probe + 1) % slots) {
                if (state(slotOffset(probe)) == FREE) {
                    problems.add("counter '" + name + "' in " + where + " is unreachable: slot " + probe
                            + " between it and its home slot " + home + " is free");
                    break;
                }
            }
        }
        return names;
    }

    /** The hash that places names, for the check. */
    interface CounterHash {
        int of(String name);
    }
}
