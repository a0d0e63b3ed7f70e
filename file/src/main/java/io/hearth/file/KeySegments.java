package io.hearth.file;

import java.nio.charset.StandardCharsets;
import net.openhft.chronicle.algo.hashing.LongHashFunction;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * Which Chronicle segment of a shard holds a key, computed as Chronicle's own {@code get} does,
 * without opening a query context: Chronicle stores a {@code String} key as its bytes
 * ({@link #serialized}) and
 * picks the segment from their xxHash (r39) through the map's {@code HashSplitting}. The read
 * cache's version check needs the segment's stripe before it reads through Chronicle's
 * {@code get}, and a query context costs as much as that get. {@code KeySegmentsTest} checks
 * the result against {@code queryContext(key).segmentIndex()} for ASCII, other BMP text and
 * characters outside it.
 */
final class KeySegments {
    private static final LongHashFunction XX_R39 = LongHashFunction.xx_r39();

    private KeySegments() {
    }

    static int segmentOf(ChronicleMap<String, byte[]> map, String key) {
        VanillaChronicleHash<?, ?, ?, ?> hash = (VanillaChronicleHash<?, ?, ?, ?>) map;
        return hash.hashSplitting.segmentIndex(XX_R39.hashBytes(serialized(key)));
    }

    /**
     * The key's bytes as Chronicle writes them: UTF-8 of each UTF-16 char on its own, so a character
     * outside the Basic Multilingual Plane is its two surrogates of three bytes each (as CESU-8), not
     * UTF-8's four bytes. Other text is plain UTF-8, which Java's encoder makes fastest.
     */
    static byte[] serialized(String key) {
        for (int i = 0; i < key.length(); i++) {
            if (Character.isSurrogate(key.charAt(i))) {
                return charByChar(key);
            }
        }
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] charByChar(String key) {
        byte[] out = new byte[key.length() * 3];
        int n = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | c >> 6);
                out[n++] = (byte) (0x80 | c & 0x3F);
            } else {
                out[n++] = (byte) (0xE0 | c >> 12);
                out[n++] = (byte) (0x80 | c >> 6 & 0x3F);
                out[n++] = (byte) (0x80 | c & 0x3F);
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
