package io.hearth.spi;

import io.hearth.BroadcastMessage;
import io.hearth.BroadcastResult;
import io.hearth.StoreStats;
import io.hearth.WorkerInfo;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A store engine: the memory-mapped file in module {@code file}, Redis in module {@code redis}. Arguments arrive
 * already checked against {@link #limits()}; map names never contain NUL.
 */
public interface StoreBackend extends AutoCloseable {
    /** Expected version for {@link #write} and {@link #remove}: whatever is there. */
    long ANY = -1;
    /** Expected version for {@link #write}: only if there is no entry. */
    long ABSENT = 0;
    /** What {@link #write} returns when the expected version did not match. */
    long CONFLICT = 0;
    /** An expiry time meaning "never": the entry or counter lives until removed. */
    long NO_EXPIRY = 0;
    /** The expiry time for {@link #write} meaning "whatever the entry has now" (none for a new entry). */
    long KEEP_EXPIRY = -1;
    /**
     * What {@link #getIfChanged} returns when the live entry's version is the one the caller knows.
     * Compare by identity: it is this one object, and no entry (version 0 names none).
     */
    StoredEntry UNCHANGED = new StoredEntry(ABSENT, new byte[0], NO_EXPIRY);
    /**
     * Maps whose names begin with this are Hearth's own (who holds each lock and leadership): small
     * records, never expiring on a backend without leases, that a backend may keep apart from the
     * user's maps. User maps never begin with it.
     */
    String OWN_MAP_PREFIX = "\u0001";
    /** What {@link #changeStamp} returns on a backend that keeps none: it proves nothing. */
    long NO_CHANGE_STAMP = Long.MIN_VALUE;

    /** The limits this store was created with. */
    BackendLimits limits();

    /** Where the store lives, for messages: a file path or a URI without credentials. */
    String location();

    /**
     * True when every counter operation is one atomic instruction on shared memory that never
     * waits on I/O or on another process, so it may run on an event-loop thread; false when a
     * counter call can block (a network round trip).
     */
    boolean countersNeverBlock();

    /**
     * How long a lock's or a leadership's claim lasts unless its holder renews it, in milliseconds;
     * 0 when every process is on this host and a dead holder is known by its pid, so a claim lasts
     * until it is released or its holder dies. A backend whose processes may be on other hosts
     * (Redis) cannot see a holder's death and gives a lease instead.
     */
    default long lockLeaseMillis() {
        return 0;
    }

    /**
     * The named counter, created at zero when absent (or expired). A counter it creates, now or
     * later through the cell, expires timeToLiveMillis after it is created (0: never), so that a
     * fixed window is one increment that cannot be left without its expiry.
     */
    CounterCell counter(String name, long timeToLiveMillis);

    /** The named counter if it exists, else null; never creates one (reads must not use up capacity). */
    CounterCell findCounter(String name);

    /**
     * Removes the named counter and frees its name; returns whether it existed. Cells handed out
     * for it go on working: a write names the counter again, from zero; a read sees zero.
     */
    boolean removeCounter(String name);

    /**
     * The entry, or null. An entry whose expiry time has come is absent, in every read and every
     * conditional write, whether or not anything has removed it yet.
     */
    StoredEntry get(String map, String key);

    /**
     * As {@link #get}, unless the live entry's version is knownVersion and its expiry knownExpiresAt:
     * then {@link #UNCHANGED}, having done as little as it can (on the file store: one look-up of
     * the entry under the key's lock, as every read; no checksum, no JSON handed out, nothing
     * decoded). A knownVersion of {@link #ABSENT} is a plain {@link #get}. Called only when
     * {@link #supportsReadCache()} is true; this default is a plain get.
     */
    default StoredEntry getIfChanged(String map, String key, long knownVersion, long knownExpiresAt) {
        return get(map, key);
    }

    /**
     * A number that moves whenever anything changes what a read of any entry returns (a write, a
     * removal, a change of expiry, a repair), and that the change moves before the call making it
     * returns; or {@link #NO_CHANGE_STAMP}. A caller that reads it, then reads an entry, may hand
     * out what it read for as long as this still returns the same number (and the entry's expiry
     * has not come): nothing was changed since, by any process. On the file store, the header's
     * version sequence, one read of shared memory. Default: {@link #NO_CHANGE_STAMP}.
     */
    default long changeStamp() {
        return NO_CHANGE_STAMP;
    }

    /**
     * True when {@link io.hearth.SharedStore}'s cache of decoded values pays and is sound here, checked
     * with {@link #getIfChanged} on every read: that call costs a small part of a {@link #get}
     * (no round trip to a server), and a version, once handed out, never names another value of the
     * key while this backend is open (the version sequence is never reset under it). Default false.
     */
    default boolean supportsReadCache() {
        return false;
    }

    /** Turns that keep {@link io.hearth.SharedMap#update} fair between processes. Default: {@link UpdateTurns#NONE}. */
    default UpdateTurns updateTurns() {
        return UpdateTurns.NONE;
    }

    /**
     * Writes json if the entry's version is {@code expectedVersion} ({@link #ANY}, {@link #ABSENT}, or a version).
     *
     * @param expiresAt epoch milliseconds, {@link #NO_EXPIRY}, or {@link #KEEP_EXPIRY}
     * @return the new version, or {@link #CONFLICT}
     */
    long write(String map, String key, long expectedVersion, byte[] json, long expiresAt);

    /**
     * Sets when a live entry expires ({@link #NO_EXPIRY}: never), keeping its value and version.
     *
     * @return whether the entry existed
     */
    boolean expire(String map, String key, long expiresAt);

    /**
     * Removes the entry if its version is {@code expectedVersion} ({@link #ANY} or a version).
     *
     * @return what was removed, or null when absent or the version differed
     */
    StoredEntry remove(String map, String key, long expectedVersion);

    /** Calls action with each live key of the map; entries written meanwhile may or may not be seen. */
    void forEachKey(String map, Consumer<String> action);

    /**
     * The names of the maps that hold at least one live entry, Hearth's own (beginning with
     * U+0001) included, in no particular order; maps written meanwhile may or may not be in it.
     * For tools that walk a whole store (a dump).
     *
     * @throws UnsupportedOperationException if this backend cannot list its maps (the default)
     */
    default Set<String> mapNames() {
        throw new UnsupportedOperationException("the store at " + location() + " cannot list its maps");
    }

    /**
     * The names of the live counters (created, not removed, not expired), in no particular order;
     * counters named meanwhile may or may not be in it.
     *
     * @throws UnsupportedOperationException if this backend cannot list its counters (the default)
     */
    default Set<String> counterNames() {
        throw new UnsupportedOperationException("the store at " + location() + " cannot list its counters");
    }

    /** Live attached processes. */
    List<WorkerInfo> workers();

    /**
     * Sends a message to every live attached process, this one included, and waits up to
     * waitForAcks for those live at sending to acknowledge it.
     */
    BroadcastResult broadcast(String topic, String payload, Duration waitForAcks);

    /**
     * Starts delivering broadcasts to sink, in order, on a thread of the backend's (see
     * {@link DeliveryLoop}); a message is acknowledged when sink returns. Called once, right after
     * the backend is opened.
     */
    void startDelivery(Consumer<BroadcastMessage> sink);

    StoreStats stats();

    /**
     * The log of map changes that {@link io.hearth.SharedMap#watch} reads, or null when this
     * backend keeps none. Asked once, by the store's first watch.
     */
    default ChangeLog changeLog() {
        return null;
    }

    /** Detaches this process and releases the backend's resources. Called once. */
    @Override
    void close();
}
