package io.hearth;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.internal.ImmutableTypes;
import io.hearth.internal.Json;
import io.hearth.internal.Names;
import io.hearth.internal.TimeToLive;
import io.hearth.spi.BackendLimits;
import io.hearth.spi.CounterCell;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoreBackendProvider;
import io.hearth.spi.StoreOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A store of counters, maps and broadcasts shared by every process that opens it. The file store
 * (module {@code file}) is shared by the processes of one host with no server: each maps the files
 * and updates them atomically. The Redis store (module {@code redis}) is shared through a server.
 *
 * <pre>{@code
 * try (SharedStore store = SharedStore.open(Path.of("data/app.store"))) {
 *     long hits = store.counter("hits").incrementAndGet();
 *     SharedMap<User> users = store.map("users", User.class);
 *     users.update("ada", u -> u == null ? new User("ada", 1) : u.withVisits(u.visits() + 1));
 *     store.subscribe("reload", message -> reloadConfig());
 *     store.broadcast("reload", "{}", Duration.ofSeconds(1));
 * }
 * }</pre>
 *
 * <p>A store opened on a path is two files: {@code path} (header, counters, worker table,
 * broadcast ring) and {@code path + ".entries"} (map entries); {@code docs/FORMAT.md} draws both.
 * Both are created readable and writable by their owner only. {@link #open(URI)} opens a store of
 * any backend on the class path by scheme: {@code file:///path} with module {@code hearth-file},
 * {@code redis://host:6379/0} with module {@code hearth-redis}. Each backend is found through
 * {@link java.util.ServiceLoader} of {@link StoreBackendProvider}; this class talks only to that SPI.
 *
 * <p>Safe to share between threads; any number of processes may open the same store at once,
 * including at the same instant on a file that does not exist yet. Each open store runs daemon
 * threads of its backend's: one that delivers broadcasts, one that keeps its heartbeat, and on
 * Redis one that listens for new broadcasts. {@link #close()} is safe to call twice; after it every
 * method of the store and of the objects it handed out throws {@link StoreClosedException}.
 */
public final class SharedStore implements AutoCloseable {
    /** Longest wait {@link #broadcast} takes for acknowledgements. */
    public static final Duration MAX_ACK_WAIT = Duration.ofHours(1);

    private static final System.Logger LOG = System.getLogger(SharedStore.class.getName());
    /** The first character of the names of Hearth's own maps, which {@link #map} refuses. */
    static final String RESERVED_MAP_PREFIX = StoreBackend.OWN_MAP_PREFIX;
    private static final String LEADERS_MAP = RESERVED_MAP_PREFIX + "leaders";

    private final StoreBackend backend;
    private final BackendLimits limits;
    private final Json json;
    /** This process's decoded values, or null: turned off, or the backend supports none. */
    private final ReadCache readCache;
    /** Whether the store reads with its own plain mapper, so a plain value just written stands for its read. */
    private final boolean plainMapper;
    private final Map<String, SharedCounter> counterHandles = new ConcurrentHashMap<>();
    private final Map<String, List<Consumer<BroadcastMessage>>> subscribers = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Map<String, SharedLock> locks = new ConcurrentHashMap<>();
    private final List<Leadership> leaderships = new CopyOnWriteArrayList<>();
    /** Renews this process's leases where locks are leases (Redis), else null. */
    private final LeaseRenewal leaseRenewal;
    /** The watches of this store's maps, made by the first watch; null until then. */
    private ChangeFeed changeFeed;
    /** Set once the backend is closing: nothing may reach it after. */
    private volatile boolean detached;

    private SharedStore(StoreBackend backend, ObjectMapper mapper, boolean plainMapper, long readCacheBytes) {
        this.backend = backend;
        this.limits = backend.limits();
        this.json = new Json(mapper, limits.maxValueBytes());
        this.readCache = backend.supportsReadCache() ? ReadCache.bounded(readCacheBytes) : null;
        this.plainMapper = plainMapper;
        this.leaseRenewal = backend.lockLeaseMillis() > 0 ? new LeaseRenewal(backend.lockLeaseMillis(), backend.location()) : null;
        backend.startDelivery(this::deliver);
    }

    /** Opens the file store at path with default capacity, creating it when absent. */
    public static SharedStore open(Path path) {
        return builder(path).open();
    }

    /**
     * Opens the store at uri, by scheme: {@code file:///path} for the file store, or any scheme
     * another backend on the class path provides, such as {@code redis://host:port/db}.
     *
     * @throws IllegalArgumentException if no backend on the class path serves the URI's scheme
     */
    public static SharedStore open(URI uri) {
        return withBackend(provider(uri).open(uri, StoreOptions.DEFAULTS), null, ReadCache.DEFAULT_BYTES);
    }

    /** The backend provider on the class path for the URI's scheme. */
    static StoreBackendProvider provider(URI uri) {
        Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme();
        if (scheme == null) {
            throw new IllegalArgumentException("store URI " + uri + " has no scheme: use file:///path or redis://host:port/db");
        }
        for (StoreBackendProvider provider : ServiceLoader.load(StoreBackendProvider.class, SharedStore.class.getClassLoader())) {
            if (provider.scheme().equals(scheme)) {
                return provider;
            }
        }
        throw new IllegalArgumentException("no Hearth backend for scheme '" + scheme + "' of " + uri
                + " on the class path: 'file' needs module hearth-file, 'redis' needs module hearth-redis");
    }

    /**
     * The store over an opened backend, reading values with mapper (null: a plain one of its own);
     * closes the backend when that fails, so nothing leaks.
     */
    private static SharedStore withBackend(StoreBackend backend, ObjectMapper mapper, long readCacheBytes) {
        try {
            return new SharedStore(backend, mapper != null ? mapper : new ObjectMapper(), mapper == null, readCacheBytes);
        } catch (RuntimeException e) {
            try {
                backend.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** A builder for the file store at path; its capacity settings apply when the file is created. */
    public static Builder builder(Path path) {
        return new Builder(path);
    }

    /** The counter with this name, created at zero on first use. */
    public SharedCounter counter(String name) {
        if (name == null) {
            throw new IllegalArgumentException("counter name must not be null");
        }
        ensureOpen();
        SharedCounter counter = counterHandles.get(name);
        if (counter == null) {
            Names.check(name, "counter name", limits.maxCounterNameBytes(), "the counter name limit");
            counter = counterHandles.computeIfAbsent(name, n -> new SharedCounter(this, backend.counter(n, 0), n));
        }
        return counter;
    }

    /**
     * The counter with this name, created at zero, to expire after timeToLive, when it does not
     * exist (or has expired); an existing counter keeps its own expiry. A write through the handle
     * after the counter expired creates it again, again for timeToLive: a fixed-window rate limit is
     * {@code store.counter("hits:" + window, Duration.ofMinutes(1)).incrementAndGet()}, and a process
     * that dies between creating and expiring cannot leave a counter that never expires, since both
     * are one step.
     *
     * @throws IllegalArgumentException if timeToLive is not more than 0 and at most 100 years
     */
    public SharedCounter counter(String name, Duration timeToLive) {
        if (name == null) {
            throw new IllegalArgumentException("counter name must not be null");
        }
        Names.check(name, "counter name", limits.maxCounterNameBytes(), "the counter name limit");
        long millis = Math.max(1, TimeToLive.check(timeToLive).toMillis());
        ensureOpen();
        return new SharedCounter(this, backend.counter(name, millis), name);
    }

    /**
     * The counter with this name if it exists now (created, and not removed since). Unlike
     * {@link #counter(String)} it never creates one, so reading arbitrary names (say, from HTTP
     * requests) uses up no capacity.
     */
    public Optional<SharedCounter> findCounter(String name) {
        Names.check(name, "counter name", limits.maxCounterNameBytes(), "the counter name limit");
        ensureOpen();
        // Asked of the backend every time: another process may have removed it.
        CounterCell cell = backend.findCounter(name);
        return cell == null ? Optional.empty()
                : Optional.of(counterHandles.computeIfAbsent(name, n -> new SharedCounter(this, cell, n)));
    }

    /**
     * Removes the counter with this name, in every process, and frees its name for reuse. Handles
     * on it (here or in other processes) go on working: a write through one creates the counter
     * again from zero, a read sees zero. Returns whether the counter existed.
     */
    public boolean removeCounter(String name) {
        Names.check(name, "counter name", limits.maxCounterNameBytes(), "the counter name limit");
        ensureOpen();
        return backend.removeCounter(name);
    }

    /**
     * The names of the maps that hold at least one live entry, sorted, as a snapshot (maps written
     * meanwhile may or may not be in it); Hearth's own maps (of locks and leaderships) are left out.
     * A map exists while it has an entry: its name goes when its last entry is removed or expires.
     *
     * @throws UnsupportedOperationException on a backend that cannot list its maps
     */
    public SortedSet<String> mapNames() {
        ensureOpen();
        SortedSet<String> names = new TreeSet<>();
        for (String name : backend.mapNames()) {
            if (!name.startsWith(RESERVED_MAP_PREFIX)) {
                names.add(name);
            }
        }
        return Collections.unmodifiableSortedSet(names);
    }

    /**
     * The names of the counters that exist now (created and not removed or expired), sorted, as a
     * snapshot: counters named meanwhile may or may not be in it. Reading them creates nothing.
     *
     * @throws UnsupportedOperationException on a backend that cannot list its counters
     */
    public SortedSet<String> counterNames() {
        ensureOpen();
        return Collections.unmodifiableSortedSet(new TreeSet<>(backend.counterNames()));
    }

    /**
     * The map with this name, whose values are read as type. Maps exist once written to. Reads of
     * a type no caller can change (records of strings, numbers and enums, and such) are served from
     * this process's read cache while the store proves the entry unchanged: see {@link SharedMap}.
     *
     * @throws IllegalArgumentException if the name is over its limit, or begins with U+0001, which
     *                                  Hearth's own maps (those of locks and leaderships) begin with
     */
    public <V> SharedMap<V> map(String name, Class<V> type) {
        Names.check(name, "map name", limits.maxMapNameBytes(), "the map name limit");
        if (name.startsWith(RESERVED_MAP_PREFIX)) {
            throw new IllegalArgumentException("map names beginning with U+0001 are Hearth's own (locks, leaderships): "
                    + name.substring(RESERVED_MAP_PREFIX.length()));
        }
        Objects.requireNonNull(type, "type");
        ensureOpen();
        boolean cached = readCache != null && ImmutableTypes.isImmutable(type);
        return new SharedMap<>(this, backend, json, name, type, limits.maxKeyBytes(), cached ? readCache : null,
                cached && (type == JsonBytes.class || plainMapper && ImmutableTypes.isPlain(type)));
    }

    /**
     * The lock of this name, shared by every thread of every process attached to the store: see
     * {@link SharedLock} for what happens when its holder dies (file store: its pid tells; Redis:
     * its lease runs out). The same instance for the same name, so that it is reentrant across calls.
     *
     * @throws IllegalArgumentException if the name is empty, holds NUL, or is over maxKeyBytes
     */
    public SharedLock lock(String name) {
        Names.check(name, "lock name", limits.maxKeyBytes(), "maxKeyBytes");
        ensureOpen();
        return locks.computeIfAbsent(name, n -> new SharedLock(this, backend, SharedLock.LOCKS_MAP, n, leaseRenewal));
    }

    /**
     * Makes this process a candidate for the leadership of name: of the live processes that are
     * candidates, exactly one leads at a time, and the listener hears when this one gains and loses
     * it. When the leader dies another candidate leads within milliseconds on the file store, or
     * once its lease runs out on Redis ({@link Leadership}); closing the returned leadership, or the
     * store, resigns.
     *
     * @throws IllegalArgumentException if the name is empty, holds NUL, or is over maxKeyBytes
     */
    public Leadership leadership(String name, LeadershipListener listener) {
        Names.check(name, "leadership name", limits.maxKeyBytes(), "maxKeyBytes");
        Objects.requireNonNull(listener, "listener");
        ensureOpen();
        Leadership leadership = new Leadership(new SharedLock(this, backend, LEADERS_MAP, name, leaseRenewal), listener);
        leaderships.add(leadership);
        leadership.start();
        return leadership;
    }

    /**
     * Who leads what: each name some process leads ({@link #leadership}), with that process's pid,
     * in name order. On the file store only live leaders are named; on Redis, those whose lease has
     * not run out, and a pid may be of another host's process.
     */
    public Map<String, Long> leaders() {
        ensureOpen();
        Map<String, Long> leaders = new java.util.TreeMap<>();
        boolean leased = leaseRenewal != null;
        backend.forEachKey(LEADERS_MAP, name -> {
            io.hearth.spi.StoredEntry entry = backend.get(LEADERS_MAP, name);
            long pid = entry == null ? 0 : SharedLock.holderPid(entry.json(), name, leased);
            if (pid != 0) {
                leaders.put(name, pid);
            }
        });
        return leaders;
    }

    /** The live processes attached to this store, this one included. Dead ones are dropped. */
    public List<WorkerInfo> workers() {
        ensureOpen();
        return backend.workers();
    }

    /**
     * Calls handler with every message later broadcast to topic, by any process, this one
     * included. Handlers run on the store's delivery thread, one message at a time and in order;
     * a process acknowledges a message once its handlers for the topic have returned (or thrown).
     * Close the subscription to stop.
     */
    public Subscription subscribe(String topic, Consumer<BroadcastMessage> handler) {
        Names.check(topic, "topic", limits.maxTopicBytes(), "the topic limit");
        Objects.requireNonNull(handler, "handler");
        ensureOpen();
        subscribers.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(handler);
        return new Subscription(() -> subscribers.getOrDefault(topic, List.of()).remove(handler));
    }

    /**
     * Delivers payload once to every live process attached to the store, this one included, and
     * waits up to {@code waitForAcks} until each process that was live when it was sent has
     * acknowledged it. {@link Duration#ZERO} returns at once.
     *
     * @throws IllegalArgumentException if the topic or payload is over its limit
     */
    public BroadcastResult broadcast(String topic, String payload, Duration waitForAcks) {
        Names.check(topic, "topic", limits.maxTopicBytes(), "the topic limit");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(waitForAcks, "waitForAcks");
        if (waitForAcks.isNegative() || waitForAcks.compareTo(MAX_ACK_WAIT) > 0) {
            throw new IllegalArgumentException("waitForAcks must be from 0 to " + MAX_ACK_WAIT + ", was " + waitForAcks);
        }
        int payloadBytes = payload.getBytes(StandardCharsets.UTF_8).length;
        int limit = limits.maxBroadcastBytes();
        if (payloadBytes > limit) {
            throw new ValueTooLargeException("broadcast payload as UTF-8", payloadBytes, limit, "maxBroadcastBytes");
        }
        ensureOpen();
        return backend.broadcast(topic, payload, waitForAcks);
    }

    /** How full the store is, and how this process's read cache does. */
    public StoreStats stats() {
        ensureOpen();
        return backend.stats().withReadCache(readCache == null ? ReadCacheStats.OFF : readCache.stats());
    }

    /**
     * True for the memory-mapped file store: counter operations are then single atomic
     * instructions that never wait on I/O or another process, so they may run on an event-loop
     * thread. False for stores behind a network (Redis), where every call is a round trip.
     */
    public boolean isMemoryMapped() {
        return backend.countersNeverBlock();
    }

    /** Where the store lives: its file path, or its URI without credentials. */
    public String location() {
        return backend.location();
    }

    /** Detaches this process from the store and releases its files or connections. Safe to call twice. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            leaderships.forEach(Leadership::close); // resign, telling the listeners, while the backend works
            closeChangeFeed();
            locks.values().forEach(SharedLock::releaseOnClose);
            if (leaseRenewal != null) {
                leaseRenewal.close();
            }
            detached = true;
            backend.close();
        }
    }

    /**
     * The store's change feed, started by the first watch.
     *
     * @throws UnsupportedOperationException on a backend that keeps no change log
     */
    synchronized ChangeFeed changeFeed() {
        ensureOpen();
        if (changeFeed == null) {
            io.hearth.spi.ChangeLog log = backend.changeLog();
            if (log == null) {
                throw new UnsupportedOperationException("store " + backend.location() + " keeps no change log to watch");
            }
            changeFeed = new ChangeFeed(backend.location(), log);
        }
        return changeFeed;
    }

    private synchronized void closeChangeFeed() {
        if (changeFeed != null) {
            changeFeed.close();
        }
    }

    boolean isDetached() {
        return detached;
    }

    void ensureOpen() {
        if (closed.get()) {
            throw new StoreClosedException("store " + backend.location() + " is closed");
        }
    }

    private void deliver(BroadcastMessage message) {
        for (Consumer<BroadcastMessage> handler : subscribers.getOrDefault(message.topic(), List.of())) {
            try {
                handler.accept(message);
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                // One broken handler must not stop delivery to the others, nor the acknowledgement.
                LOG.log(System.Logger.Level.WARNING, "handler for topic '" + message.topic() + "' threw", e);
            }
        }
    }

    /**
     * Capacity settings for a new store file. An existing file keeps the shape it was created
     * with; the builder's settings are then ignored, a warning names each one that differs (so
     * processes that create one store at the same instant with different settings learn which
     * won), and {@link SharedStore#stats()} tells the real ones.
     */
    public static final class Builder {
        /** The largest cap or expectation on entries the builder takes. */
        private static final long MAX_ENTRIES = 1L << 40;
        private final Path path;
        private long maxEntries = StoreOptions.DEFAULTS.maxEntries();
        private long expectedEntries = StoreOptions.DEFAULTS.expectedEntries();
        private int expectedKeyBytes = StoreOptions.DEFAULTS.expectedKeyBytes();
        private int maxKeyBytes = StoreOptions.DEFAULTS.maxKeyBytes();
        private int expectedValueBytes = StoreOptions.DEFAULTS.expectedValueBytes();
        private int maxValueBytes = StoreOptions.DEFAULTS.maxValueBytes();
        private int maxCounters = StoreOptions.DEFAULTS.maxCounters();
        private int maxWorkers = StoreOptions.DEFAULTS.maxWorkers();
        private int maxBroadcastBytes = StoreOptions.DEFAULTS.maxBroadcastBytes();
        private final Set<String> given = new LinkedHashSet<>();
        private ObjectMapper objectMapper;
        private long readCacheBytes = ReadCache.DEFAULT_BYTES;

        private Builder(Path path) {
            this.path = Objects.requireNonNull(path, "path");
        }

        /**
         * A cap on map entries over all maps, for a store that must not hold more: past it, a new
         * key is refused with {@link StoreFullException} naming it. Default: no cap, the store grows
         * as far as the disk allows.
         */
        public Builder maxEntries(long maxEntries) {
            this.maxEntries = check("maxEntries", maxEntries, 1, MAX_ENTRIES);
            given.add("maxEntries");
            return this;
        }

        /**
         * How many map entries the store is expected to hold, for its first size; default 65,536.
         * Only a hint: the store grows past it while every process keeps working.
         */
        public Builder expectedEntries(long entries) {
            this.expectedEntries = check("expectedEntries", entries, 1, MAX_ENTRIES);
            given.add("expectedEntries");
            return this;
        }

        /** Typical key length in bytes, for sizing; default 32. */
        public Builder expectedKeyBytes(int bytes) {
            this.expectedKeyBytes = (int) check("expectedKeyBytes", bytes, 1, 4096);
            given.add("expectedKeyBytes");
            return this;
        }

        /** Longest key in bytes of UTF-8; default 256, at most 4096. */
        public Builder maxKeyBytes(int bytes) {
            this.maxKeyBytes = (int) check("maxKeyBytes", bytes, 1, 4096);
            given.add("maxKeyBytes");
            return this;
        }

        /** Typical value length in bytes of JSON, for sizing; default 256. */
        public Builder expectedValueBytes(int bytes) {
            this.expectedValueBytes = (int) check("expectedValueBytes", bytes, 1, 1 << 20);
            given.add("expectedValueBytes");
            return this;
        }

        /** Longest value in bytes of JSON; default 65,536, at most 1 MiB. */
        public Builder maxValueBytes(int bytes) {
            this.maxValueBytes = (int) check("maxValueBytes", bytes, 16, 1 << 20);
            given.add("maxValueBytes");
            return this;
        }

        /**
         * A cap on counter names, for a store that must not hold more: past it, a new name is
         * refused with {@link StoreFullException} naming it. Default: no cap, as many as the disk
         * holds; {@link SharedStore#removeCounter(String)} frees a name.
         */
        public Builder maxCounters(int count) {
            this.maxCounters = (int) check("maxCounters", count, 1, 1 << 20);
            given.add("maxCounters");
            return this;
        }

        /** Most processes attached at once; default 256. */
        public Builder maxWorkers(int count) {
            this.maxWorkers = (int) check("maxWorkers", count, 1, 65_536);
            given.add("maxWorkers");
            return this;
        }

        /** Longest broadcast payload in bytes of UTF-8; default 16 KiB, at most 1 MiB. */
        public Builder maxBroadcastBytes(int bytes) {
            this.maxBroadcastBytes = (int) check("maxBroadcastBytes", bytes, 1, 1 << 20);
            given.add("maxBroadcastBytes");
            return this;
        }

        /** The Jackson mapper that writes and reads map values; default a plain {@code new ObjectMapper()}. */
        public Builder objectMapper(ObjectMapper mapper) {
            this.objectMapper = Objects.requireNonNull(mapper, "mapper");
            return this;
        }

        /**
         * Bounds this process's cache of decoded map values at about this many bytes of heap; 0
         * turns it off. Default 32 MiB: 69,042 records of 111 bytes of JSON, which took 25.9 MB of
         * heap. Each entry is counted as twice its JSON and key plus 240 bytes (486 bytes for those
         * records, which measured 360 each: benchmarks/READ-CACHE.md), so the bound errs high; values
         * that decode to much more than twice their JSON take more. Not a setting of the store
         * file: each process sets its own.
         */
        public Builder readCacheBytes(long bytes) {
            this.readCacheBytes = check("readCacheBytes", bytes, 0, Long.MAX_VALUE);
            return this;
        }

        /**
         * Opens the store, creating its files when absent.
         *
         * @throws MissingJvmOptionsException  if this JVM lacks options Chronicle Map needs
         * @throws IncompatibleStoreException if the file is not a Hearth store of this format
         * @throws HearthException            if the files cannot be created or read
         */
        public SharedStore open() {
            URI uri = path.toAbsolutePath().toUri();
            StoreOptions options = new StoreOptions(maxEntries, expectedEntries, expectedKeyBytes, maxKeyBytes, expectedValueBytes,
                    maxValueBytes, maxCounters, maxWorkers, maxBroadcastBytes, given);
            return withBackend(provider(uri).open(uri, options), objectMapper, readCacheBytes);
        }

        private static long check(String setting, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(setting + " must be from " + min + " to " + max + ", was " + value);
            }
            return value;
        }
    }
}
