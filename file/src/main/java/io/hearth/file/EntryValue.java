package io.hearth.file;

import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoredEntry;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.LongSupplier;
import net.openhft.chronicle.hash.Data;

/**
 * The value Hearth stores for a map entry in its entries file, behind the composite key.
 *
 * <pre>
 *   0 version (long): from the store-wide sequence, positive
 *   8 expires at (long): epoch milliseconds, 0 for never
 *  16 the value as UTF-8 JSON, to the end
 * </pre>
 */
final class EntryValue {
    static final int VERSION = 0;
    static final int EXPIRES_AT = VERSION + Long.BYTES;
    static final int JSON = EXPIRES_AT + Long.BYTES;
    /** Bytes before the JSON. */
    static final int HEADER = JSON;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private EntryValue() {
    }

    /** A value holding json, its version and expiry not set yet. */
    static byte[] of(byte[] json) {
        byte[] value = new byte[HEADER + json.length];
        System.arraycopy(json, 0, value, JSON, json.length);
        return value;
    }

    static void setVersion(byte[] value, long version) {
        LONGS.set(value, VERSION, version);
    }

    static void setExpiresAt(byte[] value, long expiresAt) {
        LONGS.set(value, EXPIRES_AT, expiresAt);
    }

    static long version(byte[] value) {
        return (long) LONGS.get(value, VERSION);
    }

    static long expiresAt(byte[] value) {
        return (long) LONGS.get(value, EXPIRES_AT);
    }

    static long version(Data<byte[]> value) {
        return value.bytes().readLong(value.offset() + VERSION);
    }

    static long expiresAt(Data<byte[]> value) {
        return value.bytes().readLong(value.offset() + EXPIRES_AT);
    }

    /** Whether an entry with this expiry is gone at nowMillis: from its deadline on. */
    static boolean expired(long expiresAt, long nowMillis) {
        return expiresAt != StoreBackend.NO_EXPIRY && nowMillis >= expiresAt;
    }

    /** As {@link #expired(long, long)}, reading the clock only for an entry that expires. */
    static boolean expired(long expiresAt, LongSupplier clock) {
        return expiresAt != StoreBackend.NO_EXPIRY && clock.getAsLong() >= expiresAt;
    }

    static boolean expired(Data<byte[]> value, long nowMillis) {
        return expired(expiresAt(value), nowMillis);
    }

    /** The stored entry a value read from the file holds. */
    static StoredEntry entry(byte[] value) {
        return new StoredEntry(version(value), Arrays.copyOfRange(value, JSON, value.length), expiresAt(value));
    }
}
