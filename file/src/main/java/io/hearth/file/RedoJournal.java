package io.hearth.file;

import io.hearth.HearthException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * The redo journal of the store file: one slot per map lock stripe, where the stripe's holder
 * records its whole write (key, and value with its version) before it touches the entries file,
 * and clears it once the entries file holds the write whole. A process that finds the holder dead
 * does the journaled write again, so a write cut short is finished, never left torn.
 *
 * <pre>
 *   lock stripes x slot length, from {@link StoreLayout#journalOffset()}; slot length is
 *   64 + longest composite key + 16 + longest value, rounded up to 64 ({@link #slotLength})
 *   0 state (long): 0 idle, 1 a put is under way, 2 a remove is under way; released after the bytes
 *   8 key length (int)   12 value length (int)
 *  64 composite key, UTF-8   then the value as {@link EntryValue} lays it out (version, expiry, JSON)
 * </pre>
 */
final class RedoJournal {
    static final long IDLE = 0;
    static final long PUT = 1;
    static final long REMOVE = 2;

    static final int STATE = 0;
    static final int KEY_LENGTH = STATE + Long.BYTES;
    static final int VALUE_LENGTH = KEY_LENGTH + Integer.BYTES;
    static final int KEY = 64;
    private static final int ALIGNMENT = 64;

    /**
     * A write recorded in a journal slot, to be done again by whoever repairs after its writer died.
     * A remove's value is its version and change kind ({@link #removal}).
     */
    record Intent(int stripe, long kind, String compositeKey, byte[] value) {
    }

    private final MappedFile file;
    private final int journalOffset;
    private final int slotLength;
    private final int stripes;
    private final int maxCompositeKeyBytes;
    private final int maxValueBytes;
    /** Where a write done again is recorded as a change, or null when the store has no change log. */
    private final ChangeRing changes;

    RedoJournal(StoreFile store) {
        this(store, null);
    }

    RedoJournal(StoreFile store, ChangeRing changes) {
        this.changes = changes;
        StoreLayout layout = store.layout();
        this.file = store.mapped();
        this.journalOffset = Math.toIntExact(layout.journalOffset());
        this.slotLength = Math.toIntExact(layout.journalSlotLength());
        this.stripes = layout.lockStripes();
        this.maxCompositeKeyBytes = layout.maxCompositeKeyBytes();
        this.maxValueBytes = EntryValue.HEADER + layout.maxValueBytes();
    }

    /** Bytes of one slot for these longest composite key and value (JSON, without its version and expiry). */
    static long slotLength(int maxCompositeKeyBytes, int maxValueBytes) {
        long length = (long) KEY + maxCompositeKeyBytes + EntryValue.HEADER + maxValueBytes;
        return (length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private int slotOffset(int stripe) {
        return journalOffset + stripe * slotLength;
    }

    /** Records a put before it touches the entries file; the caller holds the stripe. */
    void recordPut(int stripe, String compositeKey, byte[] value) {
        record(stripe, PUT, compositeKey.getBytes(StandardCharsets.UTF_8), value);
    }

    /** As {@link #recordPut(int, String, byte[])}, with the composite key already in UTF-8, as the change ring takes it too. */
    void recordPut(int stripe, byte[] compositeKeyUtf8, byte[] value) {
        record(stripe, PUT, compositeKeyUtf8, value);
    }

    /**
     * Records a remove before it touches the entries file, with its version and change kind
     * ({@link ChangeRing#KIND_REMOVAL} or {@link ChangeRing#KIND_EXPIRY}); the caller holds the stripe.
     */
    void recordRemove(int stripe, String compositeKey, long version, int changeKind) {
        record(stripe, REMOVE, compositeKey.getBytes(StandardCharsets.UTF_8), java.nio.ByteBuffer.allocate(12).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(0, version).putInt(8, changeKind).array());
    }

    private void record(int stripe, long kind, byte[] key, byte[] value) {
        int slot = slotOffset(stripe);
        if (key.length > maxCompositeKeyBytes || value.length > maxValueBytes) {
            throw new HearthException("journal slot of " + file.path() + " holds keys of up to " + maxCompositeKeyBytes
                    + " bytes and values of up to " + maxValueBytes + ", got " + key.length + " and " + value.length);
        }
        file.setIntPlain(slot + KEY_LENGTH, key.length);
        file.setIntPlain(slot + VALUE_LENGTH, value.length);
        file.putBytes(slot + KEY, key);
        file.putBytes(slot + KEY + key.length, value);
        // Released after the bytes: a journal seen armed is complete.
        file.setLongRelease(slot + STATE, kind);
    }

    /**
     * Clears the stripe's slot once the entries file holds the write whole; the caller holds the
     * stripe. Reads first, so calls that journaled nothing write nothing.
     */
    void clear(int stripe) {
        int state = slotOffset(stripe) + STATE;
        if (file.getLongAcquire(state) != IDLE) {
            file.setLongRelease(state, IDLE);
        }
    }

    /** Clears every slot: only once every recorded write has been done again. */
    void clearAll() {
        for (int stripe = 0; stripe < stripes; stripe++) {
            clear(stripe);
        }
    }

    /** The recorded writes of every stripe; the caller holds every stripe, or no other process is attached. */
    List<Intent> intents() {
        List<Intent> intents = new ArrayList<>();
        for (int stripe = 0; stripe < stripes; stripe++) {
            int slot = slotOffset(stripe);
            long kind = file.getLongAcquire(slot + STATE);
            if (kind == IDLE) {
                continue;
            }
            int keyLength = file.getIntPlain(slot + KEY_LENGTH);
            int valueLength = file.getIntPlain(slot + VALUE_LENGTH);
            String key = file.getUtf8(slot + KEY, keyLength);
            byte[] value = file.getBytes(slot + KEY + keyLength, valueLength);
            intents.add(new Intent(stripe, kind, key, value));
        }
        return intents;
    }

    /**
     * Does the recorded writes again, straight on Chronicle, in the shard each key lives in now: a
     * put writes its whole value (version included), a remove removes; each is recorded in the change
     * log unless it is there already. The caller holds every stripe, or no other process is attached.
     */
    void replay(List<Intent> intents, EntryShards shards) {
        long routing = shards.routing();
        for (Intent intent : intents) {
            ChronicleMap<String, byte[]> map = shards.forKey(intent.compositeKey(), routing).map();
            if (intent.kind() == PUT) {
                map.put(intent.compositeKey(), intent.value());
                if (changes != null && intent.value().length >= EntryValue.HEADER) {
                    changes.recordWrite(EntryValue.version(intent.value()), intent.compositeKey(), intent.value());
                }
            } else {
                map.remove(intent.compositeKey());
                if (changes != null && intent.value().length == 12) {
                    java.nio.ByteBuffer removal = java.nio.ByteBuffer.wrap(intent.value()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    changes.recordRemoval(removal.getLong(0), removal.getInt(8), intent.compositeKey());
                }
            }
        }
    }
}
