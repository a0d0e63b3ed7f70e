package io.hearth.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.SharedMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * The entries that the growth benchmarks and measurements write: key i is {@code user-0000042}
 * style (12 characters), its value a {@link Profile} of 111 bytes of JSON, the same length for
 * every i below ten million.
 */
final class Population {
    /** The million entries of the grown-store benchmarks and the footprint. */
    static final int MILLION = 1_000_000;
    /** An odd step not divisible by 5, so stepping by it modulo a power of ten visits every index once per round. */
    static final int STRIDE = 618_033;

    private Population() {
    }

    static String key(long i) {
        return String.format(Locale.ROOT, "user-%07d", i);
    }

    static Profile value(long i) {
        return new Profile(key(i), "Ada Lovelace", "ada@example.org", 1_000_000_000L + i % 1_000_000_000L, 1_732_280_000L);
    }

    /** The JSON Hearth stores for value(i), for the floors that store bytes. */
    static byte[] json(ObjectMapper mapper, long i) {
        try {
            return mapper.writeValueAsBytes(value(i));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The keys 0 to n - 1, made once so that no benchmark times their formatting. */
    static String[] keys(int n) {
        String[] keys = new String[n];
        for (int i = 0; i < n; i++) {
            keys[i] = key(i);
        }
        return keys;
    }

    /** Puts entries 0 to n - 1 into map. */
    static void write(SharedMap<Profile> map, int n) {
        for (int i = 0; i < n; i++) {
            map.put(key(i), value(i));
        }
    }
}
