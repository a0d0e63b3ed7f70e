package io.hearth.file;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The store file as every attached process maps it: little-endian reads and writes at byte
 * offsets, with the memory ordering in each method's name. The regions ({@link StoreHeader},
 * {@link CounterSlots}, {@link WorkerTable}, {@link BroadcastRing}, {@link MapLockTable},
 * {@link RedoJournal}) own their offsets; this class knows none of them.
 *
 * <p>Longs and ints are accessed through {@link VarHandle}s on the mapping, so the atomic ones
 * (compare-and-set, get-and-add) are single instructions that other processes see at once.
 */
final class MappedFile {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final MappedByteBuffer buffer;

    MappedFile(Path path, MappedByteBuffer buffer) {
        this.path = path;
        this.buffer = buffer;
    }

    /** The file, for messages. */
    Path path() {
        return path;
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

    void putBytes(int offset, byte[] bytes, int from, int length) {
        buffer.put(offset, bytes, from, length);
    }

    void getBytes(int offset, byte[] into, int from, int length) {
        buffer.get(offset, into, from, length);
    }

    byte[] getBytes(int offset, int length) {
        byte[] bytes = new byte[length];
        buffer.get(offset, bytes);
        return bytes;
    }

    String getUtf8(int offset, int length) {
        return new String(getBytes(offset, length), StandardCharsets.UTF_8);
    }

    /** Whether the bytes stored at offset equal these, compared in place. */
    boolean bytesEqual(int offset, byte[] bytes) {
        return buffer.slice(offset, bytes.length).equals(ByteBuffer.wrap(bytes));
    }

    /** Asks the kernel to write the mapped pages to disk now. */
    void force() {
        buffer.force();
    }
}
