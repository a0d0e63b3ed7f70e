package io.hearth;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/**
 * One change to a map's entries, as {@link SharedMap#watch} delivers it: a write, a removal, an
 * expiry, or a gap, where changes were missed. Versions are the store's ({@link Versioned}), so a
 * watcher that saw version {@code v} can name it to start again after it.
 *
 * <p>A gap covers the versions from {@link #firstMissed()} to {@link #version()}: changes in that
 * range may have touched the watched keys and were not delivered (the listener fell further behind
 * than the store keeps, or a writer died before its change was recorded). A watcher that must not
 * miss anything reads the keys again on a gap.
 */
public final class Change<V> {
    /** What happened. */
    public enum Kind {
        /** The key was written; {@link #value()} is what it holds now. */
        WRITE,
        /** The key was removed. */
        REMOVAL,
        /** The key's time to live ran out and the store removed it. */
        EXPIRY,
        /** Changes were missed: see {@link #firstMissed()}. */
        GAP
    }

    private final Kind kind;
    private final String key;
    private final long version;
    private final long firstMissed;
    private final byte[] json;
    private final Function<byte[], V> decoder;
    private final String why;
    private V value;

    private Change(Kind kind, String key, long version, long firstMissed, byte[] json, Function<byte[], V> decoder, String why) {
        this.kind = kind;
        this.key = key;
        this.version = version;
        this.firstMissed = firstMissed;
        this.json = json;
        this.decoder = decoder;
        this.why = why;
    }

    static <V> Change<V> write(String key, long version, byte[] json, Function<byte[], V> decoder) {
        return new Change<>(Kind.WRITE, key, version, version, Objects.requireNonNull(json, "json"), decoder, null);
    }

    static <V> Change<V> removal(Kind kind, String key, long version) {
        return new Change<>(kind, key, version, version, null, null, null);
    }

    static <V> Change<V> gap(long firstMissed, long lastMissed, String why) {
        return new Change<>(Kind.GAP, null, lastMissed, firstMissed, null, null, why);
    }

    public Kind kind() {
        return kind;
    }

    /** The key written or removed, without the map's name; null for a gap. */
    public String key() {
        return key;
    }

    /** The version of the write or removal; for a gap, the last version missed. */
    public long version() {
        return version;
    }

    /** For a gap, the first version missed; otherwise {@link #version()}. */
    public long firstMissed() {
        return firstMissed;
    }

    /** Whether this is a gap ({@link Kind#GAP}). */
    public boolean isGap() {
        return kind == Kind.GAP;
    }

    /** For a gap, why the changes were missed; otherwise null. */
    public String whyMissed() {
        return why;
    }

    /** The JSON written, for a write; null otherwise. */
    public String json() {
        return json == null ? null : new String(json, StandardCharsets.UTF_8);
    }

    /**
     * The value written, decoded as the map's type, for a write; null otherwise. Decoded on the
     * first call.
     *
     * @throws HearthException if the JSON written cannot be read as the map's type
     */
    public synchronized V value() {
        if (value == null && json != null) {
            value = decoder.apply(json);
        }
        return value;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case WRITE -> "WRITE " + key + " v" + version + " " + json();
            case REMOVAL, EXPIRY -> kind + " " + key + " v" + version;
            case GAP -> "GAP v" + firstMissed + "..v" + version + " (" + why + ")";
        };
    }
}
