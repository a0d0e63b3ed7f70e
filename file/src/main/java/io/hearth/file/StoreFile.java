package io.hearth.file;

import io.hearth.IncompatibleStoreException;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The store file: a header, the counter table, the worker table and the broadcast ring, mapped
 * by every attached process, plus the map lock table that guards the entries file ({@link MapLocks}).
 * All cross-process updates are single {@link VarHandle} atomics on this mapping.
 *
 * <pre>
 *  Header, 4096 bytes
 *   0                   8         12        16        20        24        28        32        36        40
 *   +-------------------+---------+---------+---------+---------+---------+---------+---------+---------+
 *   | magic "HEARTH.1"  | format  | counter | worker  | bcast   | bcast   | max key | max     | crash   |
 *   | written last      | version | slots   | slots   | slots   | slot len| bytes   | value B | seen    |
 *   +-------------------+---------+---------+---------+---------+---------+---------+---------+---------+
 *   40 max entries (long)   48 created, epoch ms (long)   56 map lock stripes (int)
 *  128 version sequence (long, own cache line)   192 entry count (long)   256 broadcast tail (long)
 *  320 recovery owner (long: owner word, see below)   384 live recoveries done (long)
 *  448 repair snapshot length (long, see SegmentSnapshots; 0 when no repair is under way)
 *
 *  Counter table at 4096: counter slots x 128 bytes
 *   0 state (int): 0 free, -pid while that process writes the name, 1 ready
 *   4 name length (int)   8 value (long)   16 name, UTF-8, up to 112 bytes
 *
 *  Worker table after it: worker slots x 64 bytes
 *   0 pid (long, 0 = free)   8 process start, epoch ms   16 attached at   24 heartbeat   32 acked sequence
 *
 *  Broadcast ring after it: broadcast slots x slot length
 *   0 sequence (long): n once message n is complete, -n while it is written
 *   8 writer pid   16 sent at, epoch ms   24 topic length (int)   28 payload length (int)
 *   32 topic, UTF-8, up to 96 bytes   128 payload, UTF-8
 *
 *  Map lock table after it: map lock stripes x 64 bytes
 *   0 owner word (long): 0 free, else process start (clock ticks since boot, low 32 bits) << 32 | pid
 *
 *  Redo journal after it: map lock stripes x journal slot length (64 + composite key + 8 + max value, rounded to 64)
 *   0 state (long): 0 idle, 1 a put is under way, 2 a remove is under way
 *   8 key length (int)   12 value length (int)
 *  64 composite key, UTF-8, up to max key bytes + 65   then the value: 8-byte version + JSON
 * </pre>
 */
final class StoreFile {
    static final long MAGIC = 0x312E485452414548L; // "HEARTH.1" read as a little-endian long
    static final long INITIALISING_MAGIC = 0x7E7E485452414548L; // "HEARTH~~": a crash during creation left this
    static final int FORMAT_VERSION = 2;

    static final int MAGIC_OFFSET = 0;
    static final int FORMAT_VERSION_OFFSET = MAGIC_OFFSET + Long.BYTES;
    static final int COUNTER_SLOTS_OFFSET = FORMAT_VERSION_OFFSET + Integer.BYTES;
    static final int WORKER_SLOTS_OFFSET = COUNTER_SLOTS_OFFSET + Integer.BYTES;
    static final int BROADCAST_SLOTS_OFFSET = WORKER_SLOTS_OFFSET + Integer.BYTES;
    static final int BROADCAST_SLOT_LENGTH_OFFSET = BROADCAST_SLOTS_OFFSET + Integer.BYTES;
    static final int MAX_KEY_BYTES_OFFSET = BROADCAST_SLOT_LENGTH_OFFSET + Integer.BYTES;
    static final int MAX_VALUE_BYTES_OFFSET = MAX_KEY_BYTES_OFFSET + Integer.BYTES;
    /** 1 once a process died while attached; cleared by the recovery of the next open with none live. */
    static final int CRASH_SEEN_OFFSET = MAX_VALUE_BYTES_OFFSET + Integer.BYTES;
    static final int MAX_ENTRIES_OFFSET = CRASH_SEEN_OFFSET + Integer.BYTES;
    static final int CREATED_OFFSET = MAX_ENTRIES_OFFSET + Long.BYTES;
    static final int LOCK_STRIPES_OFFSET = CREATED_OFFSET + Long.BYTES;
    static final int CACHE_LINE = 64;
    static final int VERSION_SEQUENCE_OFFSET = 2 * CACHE_LINE;
    static final int ENTRY_COUNT_OFFSET = VERSION_SEQUENCE_OFFSET + CACHE_LINE;
    static final int BROADCAST_TAIL_OFFSET = ENTRY_COUNT_OFFSET + CACHE_LINE;
    /** Owner word of the process repairing the map after a dead lock holder, or 0. */
    static final int RECOVERY_OWNER_OFFSET = BROADCAST_TAIL_OFFSET + CACHE_LINE;
    /** How many times a process repaired the map after a dead lock holder while others stayed attached. */
    static final int LIVE_RECOVERIES_OFFSET = RECOVERY_OWNER_OFFSET + CACHE_LINE;
    /** Length of the published repair snapshot in PATH.entries.repair, or 0 (see {@link SegmentSnapshots}). */
    static final int REPAIR_SNAPSHOT_OFFSET = LIVE_RECOVERIES_OFFSET + CACHE_LINE;
    static final int HEADER_LENGTH = 4096;

    static final int COUNTER_SLOT_LENGTH = 128;
    static final int COUNTER_STATE = 0;
    static final int COUNTER_NAME_LENGTH = COUNTER_STATE + Integer.BYTES;
    static final int COUNTER_VALUE = COUNTER_NAME_LENGTH + Integer.BYTES;
    static final int COUNTER_NAME = COUNTER_VALUE + Long.BYTES;
    static final int MAX_COUNTER_NAME_BYTES = COUNTER_SLOT_LENGTH - COUNTER_NAME;

    static final int WORKER_SLOT_LENGTH = 64;
    static final int WORKER_PID = 0;
    static final int WORKER_PROCESS_START = WORKER_PID + Long.BYTES;
    static final int WORKER_ATTACHED = WORKER_PROCESS_START + Long.BYTES;
    static final int WORKER_HEARTBEAT = WORKER_ATTACHED + Long.BYTES;
    static final int WORKER_ACKED = WORKER_HEARTBEAT + Long.BYTES;

    static final int BROADCAST_SEQUENCE = 0;
    static final int BROADCAST_WRITER = BROADCAST_SEQUENCE + Long.BYTES;
    static final int BROADCAST_SENT = BROADCAST_WRITER + Long.BYTES;
    static final int BROADCAST_TOPIC_LENGTH = BROADCAST_SENT + Long.BYTES;
    static final int BROADCAST_PAYLOAD_LENGTH = BROADCAST_TOPIC_LENGTH + Integer.BYTES;
    static final int BROADCAST_TOPIC = BROADCAST_PAYLOAD_LENGTH + Integer.BYTES;
    static final int BROADCAST_PAYLOAD = 128;
    static final int MAX_TOPIC_BYTES = BROADCAST_PAYLOAD - BROADCAST_TOPIC;
    /** Longest map name: composite keys (map name, NUL, key) and journal slots are sized for it. */
    static final int MAX_MAP_NAME_BYTES = 64;

    static final int LOCK_SLOT_LENGTH = CACHE_LINE;
    static final int JOURNAL_STATE = 0;
    static final int JOURNAL_KEY_LENGTH = JOURNAL_STATE + Long.BYTES;
    static final int JOURNAL_VALUE_LENGTH = JOURNAL_KEY_LENGTH + Integer.BYTES;
    static final int JOURNAL_KEY = CACHE_LINE;
    /** Stripes of new stores: enough that processes on different keys seldom meet, few enough to take all quickly. */
    static final int DEFAULT_LOCK_STRIPES = 64;

    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** Shape of a new file; an existing file's shape is read from its header. */
    record Layout(int counterSlots, int workerSlots, int broadcastSlots, int broadcastSlotLength,
                  int maxKeyBytes, int maxValueBytes, long maxEntries, int lockStripes) {
        long fileLength() {
            return lockTableOffset() + (long) lockStripes * (LOCK_SLOT_LENGTH + journalSlotLength());
        }

        long lockTableOffset() {
            return (long) HEADER_LENGTH + (long) counterSlots * COUNTER_SLOT_LENGTH
                    + (long) workerSlots * WORKER_SLOT_LENGTH + (long) broadcastSlots * broadcastSlotLength;
        }

        /** Longest composite key (map name, NUL, key) in bytes of UTF-8. */
        int maxCompositeKeyBytes() {
            return StoreFile.MAX_MAP_NAME_BYTES + 1 + maxKeyBytes;
        }

        long journalSlotLength() {
            long length = (long) JOURNAL_KEY + maxCompositeKeyBytes() + Long.BYTES + maxValueBytes;
            return (length + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
        }

        int maxPayloadBytes() {
            return broadcastSlotLength - BROADCAST_PAYLOAD;
        }
    }

    private final Path path;
    private final MappedByteBuffer buffer;
    private final Layout layout;
    private final int workerTableOffset;
    private final int broadcastRingOffset;
    private final int lockTableOffset;
    private final int journalOffset;
    private final int journalSlotLength;
    private final boolean created;

    private StoreFile(Path path, MappedByteBuffer buffer, Layout layout, boolean created) {
        this.path = path;
        this.created = created;
        this.buffer = buffer;
        this.layout = layout;
        this.workerTableOffset = HEADER_LENGTH + layout.counterSlots() * COUNTER_SLOT_LENGTH;
        this.broadcastRingOffset = workerTableOffset + layout.workerSlots() * WORKER_SLOT_LENGTH;
        this.lockTableOffset = Math.toIntExact(layout.lockTableOffset());
        this.journalOffset = lockTableOffset + layout.lockStripes() * LOCK_SLOT_LENGTH;
        this.journalSlotLength = Math.toIntExact(layout.journalSlotLength());
    }

    /**
     * Maps the file, creating its layout when it is empty or a creation was cut short. The caller
     * holds an exclusive OS lock on the file, so no other process is creating it at the same time.
     *
     * @return the mapped file, or throws {@link IncompatibleStoreException} without writing a byte
     */
    static StoreFile mapOrCreate(Path path, FileChannel channel, Layout wanted) throws IOException {
        long size = channel.size();
        if (size > 0) {
            Layout existing = readLayout(path, channel, size);
            if (existing != null) {
                return new StoreFile(path, channel.map(FileChannel.MapMode.READ_WRITE, 0, existing.fileLength()), existing, false);
            }
        }
        return create(path, channel, wanted);
    }

    /** Whether {@link #mapOrCreate} would create the layout: the file is empty or a creation was cut short. */
    static boolean needsCreation(FileChannel channel) throws IOException {
        if (channel.size() == 0) {
            return true;
        }
        ByteBuffer magic = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(magic, MAGIC_OFFSET);
        return magic.position() == Long.BYTES && magic.getLong(0) == INITIALISING_MAGIC;
    }

    /** Reads and checks an existing header; null when a creation was cut short and may be redone. */
    private static Layout readLayout(Path path, FileChannel channel, long size) throws IOException {
        ByteBuffer header = ByteBuffer.allocate((int) Math.min(size, HEADER_LENGTH)).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(header, 0);
        if (header.capacity() < Long.BYTES) {
            throw notAStore(path, "it is only " + size + " bytes long");
        }
        long magic = header.getLong(MAGIC_OFFSET);
        if (magic == INITIALISING_MAGIC) {
            return null;
        }
        if (magic != MAGIC) {
            throw notAStore(path, "it starts with bytes " + hex(header, 8) + ", not \"HEARTH.1\"");
        }
        if (header.capacity() < HEADER_LENGTH) {
            throw notAStore(path, "its header is cut short at " + size + " bytes of " + HEADER_LENGTH);
        }
        int format = header.getInt(FORMAT_VERSION_OFFSET);
        if (format != FORMAT_VERSION) {
            throw new IncompatibleStoreException("store file " + path + " has format version " + format
                    + ", this Hearth reads format version " + FORMAT_VERSION + "; the file was not modified");
        }
        Layout layout = new Layout(header.getInt(COUNTER_SLOTS_OFFSET), header.getInt(WORKER_SLOTS_OFFSET),
                header.getInt(BROADCAST_SLOTS_OFFSET), header.getInt(BROADCAST_SLOT_LENGTH_OFFSET),
                header.getInt(MAX_KEY_BYTES_OFFSET), header.getInt(MAX_VALUE_BYTES_OFFSET),
                header.getLong(MAX_ENTRIES_OFFSET), header.getInt(LOCK_STRIPES_OFFSET));
        if (layout.counterSlots() < 1 || layout.lockStripes() < 1 || layout.workerSlots() < 1 || layout.broadcastSlots() < 1
                || layout.broadcastSlotLength() <= BROADCAST_PAYLOAD || layout.maxKeyBytes() < 1
                || layout.maxValueBytes() < 1 || layout.maxEntries() < 1 || layout.fileLength() > Integer.MAX_VALUE) {
            throw notAStore(path, "its header is damaged: " + layout);
        }
        if (size < layout.fileLength()) {
            throw notAStore(path, "it is " + size + " bytes long but its header describes " + layout.fileLength());
        }
        return layout;
    }

    private static StoreFile create(Path path, FileChannel channel, Layout layout) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(MAGIC_OFFSET, INITIALISING_MAGIC)
                .putInt(FORMAT_VERSION_OFFSET, FORMAT_VERSION)
                .putInt(COUNTER_SLOTS_OFFSET, layout.counterSlots())
                .putInt(WORKER_SLOTS_OFFSET, layout.workerSlots())
                .putInt(BROADCAST_SLOTS_OFFSET, layout.broadcastSlots())
                .putInt(BROADCAST_SLOT_LENGTH_OFFSET, layout.broadcastSlotLength())
                .putInt(MAX_KEY_BYTES_OFFSET, layout.maxKeyBytes())
                .putInt(MAX_VALUE_BYTES_OFFSET, layout.maxValueBytes())
                .putLong(MAX_ENTRIES_OFFSET, layout.maxEntries())
                .putLong(CREATED_OFFSET, System.currentTimeMillis())
                .putInt(LOCK_STRIPES_OFFSET, layout.lockStripes());
        channel.truncate(0);
        channel.write(header, 0);
        // Grow to full length by writing the last byte: the tables start zeroed and the file stays sparse.
        channel.write(ByteBuffer.allocate(1), layout.fileLength() - 1);
        channel.force(true);
        StoreFile file = new StoreFile(path, channel.map(FileChannel.MapMode.READ_WRITE, 0, layout.fileLength()), layout, true);
        // The magic goes in last, so a process that sees it sees a complete header.
        LONGS.setRelease(file.buffer, MAGIC_OFFSET, MAGIC);
        file.buffer.force();
        return file;
    }

    private static IncompatibleStoreException notAStore(Path path, String why) {
        return new IncompatibleStoreException("file " + path + " is not a Hearth store: " + why
                + "; expected format version " + FORMAT_VERSION + "; the file was not modified");
    }

    private static String hex(ByteBuffer buffer, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count && i < buffer.capacity(); i++) {
            text.append(String.format("%02x", buffer.get(i)));
        }
        return text.toString();
    }

    Path path() {
        return path;
    }

    Layout layout() {
        return layout;
    }

    /** Whether this open created the layout (the file was empty, or a creation had been cut short). */
    boolean created() {
        return created;
    }

    int counterSlotOffset(int slot) {
        return HEADER_LENGTH + slot * COUNTER_SLOT_LENGTH;
    }

    int workerSlotOffset(int slot) {
        return workerTableOffset + slot * WORKER_SLOT_LENGTH;
    }

    int broadcastSlotOffset(long sequence) {
        return broadcastRingOffset + (int) ((sequence - 1) % layout.broadcastSlots()) * layout.broadcastSlotLength();
    }

    int lockSlotOffset(int stripe) {
        return lockTableOffset + stripe * LOCK_SLOT_LENGTH;
    }

    int journalSlotOffset(int stripe) {
        return journalOffset + stripe * journalSlotLength;
    }

    long getLongVolatile(int offset) {
        return (long) LONGS.getVolatile(buffer, offset);
    }

    long getLongAcquire(int offset) {
        return (long) LONGS.getAcquire(buffer, offset);
    }

    void setLongVolatile(int offset, long value) {
        LONGS.setVolatile(buffer, offset, value);
    }

    void setLongRelease(int offset, long value) {
        LONGS.setRelease(buffer, offset, value);
    }

    long getAndAddLong(int offset, long delta) {
        return (long) LONGS.getAndAdd(buffer, offset, delta);
    }

    boolean compareAndSetLong(int offset, long expected, long update) {
        return LONGS.compareAndSet(buffer, offset, expected, update);
    }

    int getIntAcquire(int offset) {
        return (int) INTS.getAcquire(buffer, offset);
    }

    int getIntVolatile(int offset) {
        return (int) INTS.getVolatile(buffer, offset);
    }

    void setIntVolatile(int offset, int value) {
        INTS.setVolatile(buffer, offset, value);
    }

    int getIntPlain(int offset) {
        return (int) INTS.get(buffer, offset);
    }

    void setIntPlain(int offset, int value) {
        INTS.set(buffer, offset, value);
    }

    void setIntRelease(int offset, int value) {
        INTS.setRelease(buffer, offset, value);
    }

    boolean compareAndSetInt(int offset, int expected, int update) {
        return INTS.compareAndSet(buffer, offset, expected, update);
    }

    void putBytes(int offset, byte[] bytes) {
        buffer.put(offset, bytes);
    }

    byte[] getBytes(int offset, int length) {
        byte[] bytes = new byte[length];
        buffer.get(offset, bytes);
        return bytes;
    }

    String getUtf8(int offset, int length) {
        return new String(getBytes(offset, length), StandardCharsets.UTF_8);
    }

    /** Whether the name stored at offset equals these bytes, compared in place. */
    boolean bytesEqual(int offset, byte[] bytes) {
        return buffer.slice(offset, bytes.length).equals(ByteBuffer.wrap(bytes));
    }
}
