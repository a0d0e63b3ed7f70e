package io.hearth.file;

import io.hearth.Change;
import io.hearth.spi.ChangeLog;
import io.hearth.spi.StoredChange;
import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;

/**
 * The change log of a store, {@code PATH.changes}: every map write and removal, recorded under the
 * key's stripe right after it is made, at its version, so that {@link io.hearth.SharedMap#watch}
 * can hand them out in version order. Versions come from the store header's sequence; each one is
 * recorded in the index slot {@code version mod slots}, and its bytes in a ring of records.
 *
 * <pre>
 *   0    magic "HEARTHF1" (long)   8 index slots (int)   12 ring bytes (int)   16 store id (16 bytes)
 *   64   ring tail (long): ring bytes handed out so far, never wrapped      (own cache line)
 *   128  index: slots x 16 bytes
 *          0 version (long): the version recorded here, release-stored after the position; 0 none
 *          8 position (long): where its record starts, as a ring tail value; -1 when the version names no
 *            map change (a change of expiry, a repair)
 *   128 + slots x 16: the ring, ring bytes; the record at position p lies at p mod ring bytes, never wrapped
 *          0 version (long)   8 kind (int): 1 write, 2 removal, 3 expiry   12 composite key length (int)
 *         16 JSON length (int)   20 reserved (int)   24 composite key (map, NUL, key), UTF-8, then the JSON
 *          (records are 8-byte aligned)
 * </pre>
 *
 * A reader of version v trusts the record only when the index slot holds v, the record's own
 * version field is v, and after copying it the ring tail has not moved more than the ring's length
 * past the record's position: no writer can have reserved its bytes since (a seqlock on the tail).
 * The file is written whole when created, so no record ever meets a full disk on a mapped page.
 */
final class ChangeRing implements ChangeLog {
    static final String SUFFIX = ".changes";
    static final int KIND_WRITE = 1;
    static final int KIND_REMOVAL = 2;
    static final int KIND_EXPIRY = 3;

    private static final System.Logger LOG = System.getLogger(ChangeRing.class.getName());
    private static final long MAGIC = 0x3146485452414548L; // "HEARTHF1" read as a little-endian long
    private static final int SLOTS_OFFSET = 8;
    private static final int RING_BYTES_OFFSET = 12;
    private static final int STORE_ID_OFFSET = 16;
    private static final int TAIL_OFFSET = 64;
    private static final int INDEX_OFFSET = 128;
    private static final int INDEX_SLOT = 16;
    private static final int RECORD_HEADER = 24;
    private static final long NO_RECORD = -1;
    /** Index slots of a new change log: the most changes it keeps. */
    static final int SLOTS = 65_536;
    private static final int MIN_RING_BYTES = 4 << 20;
    /** How long a handed-out version may stay unrecorded before a reader gives it up as missed. */
    static final Duration STALL_LIMIT = Duration.ofSeconds(1);

    private final MappedFile file;
    private final StoreHeader header;
    private final int slots;
    private final int ringBytes;
    private final int ringOffset;
    private final int maxCompositeKeyBytes;
    private final int maxJsonBytes;

    private ChangeRing(MappedFile file, StoreHeader header, StoreLayout layout) {
        this.file = file;
        this.header = header;
        this.slots = file.getIntPlain(SLOTS_OFFSET);
        this.ringBytes = file.getIntPlain(RING_BYTES_OFFSET);
        this.ringOffset = INDEX_OFFSET + slots * INDEX_SLOT;
        this.maxCompositeKeyBytes = layout.maxCompositeKeyBytes();
        this.maxJsonBytes = layout.maxValueBytes();
    }

    static Path pathOf(Path storePath) {
        return Path.of(storePath + SUFFIX);
    }

    /** Ring bytes for a store of this layout: room for at least eight of its largest records. */
    static int ringBytesFor(StoreLayout layout) {
        long largest = RECORD_HEADER + layout.maxCompositeKeyBytes() + (long) layout.maxValueBytes();
        long bytes = Math.max(MIN_RING_BYTES, 8 * largest);
        return Math.toIntExact((bytes + 65_535) / 65_536 * 65_536);
    }

    /**
     * Maps the store's change log, creating it (aside, then renamed into place) when it is missing,
     * incomplete or another store's; the caller holds the open lock. A change log only tells what
     * changed, so one that must be made anew loses history, never data: watchers resuming from a
     * version before it are told of a gap.
     *
     * @throws IOException when it cannot be created (a full disk): the store then opens without one
     */
    static ChangeRing openOrCreate(StoreFile store) throws IOException {
        Path path = pathOf(store.path());
        byte[] storeId = store.header().storeId();
        int ringBytes = ringBytesFor(store.layout());
        long length = INDEX_OFFSET + (long) SLOTS * INDEX_SLOT + ringBytes;
        String why = belongs(path, storeId);
        if (why != null) {
            if (Files.exists(path)) {
                LOG.log(System.Logger.Level.WARNING, "making the change log " + path + " anew (" + why
                        + "); watchers resuming from an older version are told of a gap");
            }
            create(path, storeId, ringBytes, length);
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            MappedFile mapped = new MappedFile(path, channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size()));
            return new ChangeRing(mapped, store.header(), store.layout());
        } finally {
            channel.close(); // the mapping stays valid
        }
    }

    /** Null when the file is a complete change log of this store; else why not. */
    private static String belongs(Path path, byte[] storeId) throws IOException {
        if (!Files.exists(path)) {
            return "missing";
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(INDEX_OFFSET).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(head, 0);
            byte[] id = new byte[StoreHeader.STORE_ID_LENGTH];
            head.get(STORE_ID_OFFSET, id);
            if (head.getLong(0) != MAGIC) {
                return "not a complete change log";
            }
            if (!Arrays.equals(id, storeId)) {
                return "it is another store's";
            }
            long expected = INDEX_OFFSET + (long) head.getInt(SLOTS_OFFSET) * INDEX_SLOT + head.getInt(RING_BYTES_OFFSET);
            if (head.getInt(SLOTS_OFFSET) <= 0 || head.getInt(RING_BYTES_OFFSET) <= 0 || channel.size() != expected) {
                return "its length " + channel.size() + " does not match its header";
            }
            return null;
        }
    }

    private static void create(Path path, byte[] storeId, int ringBytes, long length) throws IOException {
        Path creating = Path.of(path + ".creating");
        try {
            Files.deleteIfExists(creating);
            try (FileChannel channel = FileChannel.open(creating, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(StoreOpener.OWNER_ONLY))) {
                ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
                for (long position = 0; position < length; ) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), length - position));
                    position += channel.write(zeros, position);
                }
                ByteBuffer head = ByteBuffer.allocate(INDEX_OFFSET).order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(SLOTS_OFFSET, SLOTS).putInt(RING_BYTES_OFFSET, ringBytes).put(STORE_ID_OFFSET, storeId);
                channel.write(head, 0);
                channel.force(true);
                // The magic last: a change log cut short before it is made anew by the next open.
                channel.write(ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(0, MAGIC), 0);
                channel.force(true);
            }
            Files.move(creating, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(creating);
            throw e;
        }
    }

    /** Records a write at version; entryValue is the value as stored ({@link EntryValue}). The caller holds the key's stripe. */
    void recordWrite(long version, String compositeKey, byte[] entryValue) {
        recordWrite(version, compositeKey.getBytes(StandardCharsets.UTF_8), entryValue);
    }

    /** As {@link #recordWrite(long, String, byte[])}, with the composite key already in UTF-8. */
    void recordWrite(long version, byte[] compositeKeyUtf8, byte[] entryValue) {
        record(version, KIND_WRITE, compositeKeyUtf8, entryValue, EntryValue.JSON, entryValue.length - EntryValue.JSON);
    }

    /** Records a removal (kind {@link #KIND_REMOVAL} or {@link #KIND_EXPIRY}) at version. The caller holds the key's stripe. */
    void recordRemoval(long version, int kind, String compositeKey) {
        record(version, kind, compositeKey.getBytes(StandardCharsets.UTF_8), null, 0, 0);
    }

    /** Records that version names no map change, so readers pass over it at once. */
    void recordNone(long version) {
        int slot = indexSlot(version);
        if (file.getLongAcquire(slot) >= version) {
            return;
        }
        file.setLongVolatile(slot + Long.BYTES, NO_RECORD);
        file.setLongRelease(slot, version);
    }

    private void record(long version, int kind, byte[] key, byte[] json, int jsonFrom, int jsonLength) {
        int slot = indexSlot(version);
        if (file.getLongAcquire(slot) >= version) {
            return; // recorded already: a repair doing a journaled write again
        }
        int length = align(RECORD_HEADER + key.length + jsonLength);
        long position = reserve(length);
        int at = ringOffset + (int) (position % ringBytes);
        file.setLongVolatile(at, version);
        file.setIntPlain(at + 8, kind);
        file.setIntPlain(at + 12, key.length);
        file.setIntPlain(at + 16, jsonLength);
        file.putBytes(at + RECORD_HEADER, key);
        if (jsonLength > 0) {
            file.putBytes(at + RECORD_HEADER + key.length, json, jsonFrom, jsonLength);
        }
        file.setLongVolatile(slot + Long.BYTES, position);
        file.setLongRelease(slot, version);
    }

    /** Hands out length bytes of the ring that do not wrap its end; returns their position. */
    private long reserve(int length) {
        while (true) {
            long tail = file.getLongVolatile(TAIL_OFFSET);
            long start = tail;
            long offset = start % ringBytes;
            if (offset + length > ringBytes) {
                start += ringBytes - offset;
            }
            if (file.compareAndSetLong(TAIL_OFFSET, tail, start + length)) {
                return start;
            }
        }
    }

    private int indexSlot(long version) {
        return INDEX_OFFSET + (int) (version % slots) * INDEX_SLOT;
    }

    private static int align(int length) {
        return (length + 7) & ~7;
    }

    @Override
    public long newest() {
        return header.versionSequence();
    }

    @Override
    public long read(long after, int max, long stalledSinceNanos, Sink sink) {
        long newest = header.versionSequence();
        long last = after;
        if (newest - last > slots) {
            long lapped = newest - slots;
            sink.missed(last + 1, lapped, "the change log keeps the newest " + slots + " versions and the store is at " + newest);
            last = lapped;
        }
        long end = Math.min(newest, last + max);
        while (last < end) {
            long version = last + 1;
            int slot = indexSlot(version);
            long recorded = file.getLongAcquire(slot);
            if (recorded < version) {
                if (last != after || stalledSinceNanos == 0 || System.nanoTime() - stalledSinceNanos < STALL_LIMIT.toNanos()) {
                    return last; // being recorded now, most likely: look again soon
                }
                sink.missed(version, version, "version " + version + " was handed out but not recorded within "
                        + STALL_LIMIT.toMillis() + " ms (its writer died, is stopped, or runs a Hearth without change logs)");
            } else if (recorded > version) {
                sink.missed(version, version, "the change log has overwritten it");
            } else {
                long position = file.getLongVolatile(slot + Long.BYTES);
                if (position != NO_RECORD) {
                    StoredChange change = readRecord(version, position);
                    if (change == null) {
                        sink.missed(version, version, "the change log has overwritten it");
                    } else {
                        sink.change(change);
                    }
                }
            }
            last = version;
        }
        return last;
    }

    /** The record of version at position, or null when it was overwritten (or reads as nonsense, which is the same). */
    private StoredChange readRecord(long version, long position) {
        int at = ringOffset + (int) (position % ringBytes);
        if (position < 0 || at + RECORD_HEADER > ringOffset + ringBytes) {
            return null;
        }
        long stored = file.getLongVolatile(at);
        int kind = file.getIntPlain(at + 8);
        int keyLength = file.getIntPlain(at + 12);
        int jsonLength = file.getIntPlain(at + 16);
        if (stored != version || keyLength < 2 || keyLength > maxCompositeKeyBytes || jsonLength < 0 || jsonLength > maxJsonBytes
                || at + RECORD_HEADER + keyLength + jsonLength > ringOffset + ringBytes || kind < KIND_WRITE || kind > KIND_EXPIRY) {
            return intact(position) ? corrupt(version, position) : null;
        }
        byte[] key = new byte[keyLength];
        file.getBytes(at + RECORD_HEADER, key, 0, keyLength);
        byte[] json = kind == KIND_WRITE ? new byte[jsonLength] : null;
        if (json != null) {
            file.getBytes(at + RECORD_HEADER + keyLength, json, 0, jsonLength);
        }
        if (!intact(position)) {
            return null;
        }
        String compositeKey = new String(key, StandardCharsets.UTF_8);
        int separator = compositeKey.indexOf(CompositeKeys.SEPARATOR);
        if (separator < 0) {
            return corrupt(version, position);
        }
        Change.Kind what = kind == KIND_WRITE ? Change.Kind.WRITE : kind == KIND_REMOVAL ? Change.Kind.REMOVAL : Change.Kind.EXPIRY;
        return new StoredChange(version, compositeKey.substring(0, separator), compositeKey.substring(separator + 1), what, json);
    }

    /** Whether no writer can have reserved the bytes at position since they were written (read after copying them). */
    private boolean intact(long position) {
        VarHandle.fullFence();
        return file.getLongVolatile(TAIL_OFFSET) - position <= ringBytes;
    }

    private StoredChange corrupt(long version, long position) {
        LOG.log(System.Logger.Level.WARNING, "the record of version " + version + " at ring position " + position + " of "
                + file.path() + " does not read as a change; told to watchers as missed");
        return null;
    }
}
