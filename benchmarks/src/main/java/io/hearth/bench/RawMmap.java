package io.hearth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The hardware floor: longs in a file mapped by several processes, updated with the same kind of
 * VarHandle atomics Hearth's counters use, and nothing else (no name lookup, no open-check).
 */
final class RawMmap {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Two longs on cache lines of their own, as Hearth's counter slots are. */
    static final int A = 0;
    static final int B = 128;

    private final MappedByteBuffer buffer;

    private RawMmap(MappedByteBuffer buffer) {
        this.buffer = buffer;
    }

    /** Maps the file, creating it zeroed when absent; the mapping outlives the channel. */
    static RawMmap open(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            return new RawMmap(channel.map(FileChannel.MapMode.READ_WRITE, 0, 4096));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long getAndAdd(int offset, long delta) {
        return (long) LONGS.getAndAdd(buffer, offset, delta);
    }

    long getAcquire(int offset) {
        return (long) LONGS.getAcquire(buffer, offset);
    }

    long getVolatile(int offset) {
        return (long) LONGS.getVolatile(buffer, offset);
    }

    void setRelease(int offset, long value) {
        LONGS.setRelease(buffer, offset, value);
    }
}
