package io.hearth.file;

/**
 * Which shard of the entries holds a key, by linear hashing: with level L and split pointer p
 * there are 2^L + p shards; a key whose hash h gives {@code i = h mod 2^L} lives in shard i, unless
 * i &lt; p (that shard has been split already), when it lives in shard {@code h mod 2^(L+1)}. Growing
 * by one shard splits shard p into p and 2^L + p and moves the split pointer on; after shard
 * 2^L - 1 is split, L grows and p starts again at 0.
 *
 * <pre>
 *   routing word (store header {@link StoreHeader#ROUTING_OFFSET}):  level L << 32 | split pointer p
 * </pre>
 *
 * The word changes in one store, so a process sees either the routing before a split or after it.
 */
final class ShardRouting {
    private ShardRouting() {
    }

    static long word(int level, long splitPointer) {
        return (long) level << 32 | splitPointer;
    }

    static int level(long word) {
        return (int) (word >>> 32);
    }

    static long splitPointer(long word) {
        return word & 0xFFFF_FFFFL;
    }

    /** How many shards the routing word spans. */
    static int shards(long word) {
        return Math.toIntExact((1L << level(word)) + splitPointer(word));
    }

    /** The routing word once the next shard is split off. */
    static long afterSplit(long word) {
        int level = level(word);
        long next = splitPointer(word) + 1;
        return next == 1L << level ? word(level + 1, 0) : word(level, next);
    }

    /** Whether shard has been split between the routing words then and now. */
    static boolean splitSince(int shard, long then, long now) {
        int level = level(then);
        // Its split at this level is still to come: when the pointer passes it, or the level moves on.
        boolean dueAtThisLevel = shard < 1L << level && shard >= splitPointer(then);
        if (dueAtThisLevel) {
            return level(now) > level || splitPointer(now) > shard;
        }
        return level(now) > level + 1 || (level(now) == level + 1 && splitPointer(now) > shard);
    }

    /** The shard a key of this hash lives in. */
    static int shardOf(long hash, long word) {
        int level = level(word);
        long shard = hash & ((1L << level) - 1);
        if (shard < splitPointer(word)) {
            shard = hash & ((1L << (level + 1)) - 1);
        }
        return (int) shard;
    }

    /**
     * The routing hash of a composite key: the string's own hash, spread over 64 bits (Chronicle
     * chooses a segment from a hash of its own, so shards and segments do not line up).
     */
    static long hash(String compositeKey) {
        long h = compositeKey.hashCode() * 0x9E3779B97F4A7C15L;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 29);
    }
}
