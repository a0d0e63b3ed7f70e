package io.hearth;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.internal.JvmOptions;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A store of counters, maps and broadcasts shared by every process on the host that opens the
 * same file. There is no server: each process maps the files and updates them atomically.
 *
 * <pre>{@code
 * try (SharedStore store = SharedStore.open(Path.of("data/app.hearth"))) {
 *     long hits = store.counter("hits").incrementAndGet();
 *     SharedMap<User> users = store.map("users", User.class);
 *     users.update("ada", u -> u == null ? new User("ada", 1) : u.withVisits(u.visits() + 1));
 *     store.subscribe("reload", message -> reloadConfig());
 *     store.broadcast("reload", "{}", Duration.ofSeconds(1));
 * }
 * }</pre>
 *
 * <p>A store is two files: {@code path} (header, counters, worker table, broadcast ring) and
 * {@code path + ".entries"} (map entries, a Chronicle Map); {@code docs/FORMAT.md} draws both.
 * Both are created readable and writable by their owner only.
 *
 * <p>Safe to share between threads; any number of processes may open the same file at once,
 * including at the same instant on a file that does not exist yet. Each open store runs one
 * daemon thread that keeps its heartbeat and delivers broadcasts. {@link #close()} is safe to
 * call twice; after it every method of the store and of the objects it handed out throws
 * {@link StoreClosedException}.
 */
public final class SharedStore implements AutoCloseable {
    /** Longest map name, in bytes of UTF-8. */
    public static final int MAX_MAP_NAME_BYTES = 64;
    /** Longest counter name, in bytes of UTF-8. */
    public static final int MAX_COUNTER_NAME_BYTES = StoreFile.MAX_COUNTER_NAME_BYTES;
    /** Longest broadcast topic, in bytes of UTF-8. */
    public static final int MAX_TOPIC_BYTES = StoreFile.MAX_TOPIC_BYTES;

    private static final System.Logger LOG = System.getLogger(SharedStore.class.getName());
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    /** FileChannel.lock is per process; this orders opens by threads of one process. */
    private static final Object OPEN_LOCK = new Object();

    private final Path path;
    private final FileChannel channel;
    private final StoreFile file;
    private final Entries entries;
    private final Counters counters;
    private final Workers workers;
    private final Broadcasts broadcasts;
    private final Json json;
    private final long pid = Processes.currentPid();
    private final long processStart = Processes.currentStartMillis();
    private final Map<String, SharedCounter> counterHandles = new ConcurrentHashMap<>();
    private final Map<String, List<Consumer<BroadcastMessage>>> subscribers = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread agent;
    private volatile int workerSlot;

    private SharedStore(Path path, FileChannel channel, StoreFile file, Entries entries, ObjectMapper mapper) {
        this.path = path;
        this.channel = channel;
        this.file = file;
        this.entries = entries;
        this.counters = new Counters(file, pid);
        this.workers = new Workers(file);
        this.broadcasts = new Broadcasts(file, workers);
        this.json = new Json(mapper, file.layout().maxValueBytes());
        long startAfter = broadcasts.tail();
        this.workerSlot = workers.attach(pid, processStart, startAfter);
        this.agent = new Thread(() -> runAgent(startAfter), "hearth-agent " + path.getFileName());
        agent.setDaemon(true);
        agent.start();
    }

    /** Opens the store at path with default capacity, creating it when absent. */
    public static SharedStore open(Path path) {
        return builder(path).open();
    }

    /** A builder for the store at path; its capacity settings apply when the file is created. */
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
            counter = counterHandles.computeIfAbsent(name, n -> new SharedCounter(this, file, counters.valueOffset(n), n));
        }
        return counter;
    }

    /** The map with this name, whose values are read as type. Maps exist once written to. */
    public <V> SharedMap<V> map(String name, Class<V> type) {
        Names.utf8(name, "map name", MAX_MAP_NAME_BYTES, "MAX_MAP_NAME_BYTES");
        Objects.requireNonNull(type, "type");
        ensureOpen();
        return new SharedMap<>(this, entries, json, name, type, file.layout().maxKeyBytes());
    }

    /** The live processes attached to this store, this one included. Dead ones are dropped from the table. */
    public List<WorkerInfo> workers() {
        ensureOpen();
        return workers.live().stream().map(Workers::info).toList();
    }

    /**
     * Calls handler with every message later broadcast to topic, by any process, this one
     * included. Handlers run on the store's agent thread, one message at a time and in order; a
     * process acknowledges a message once its handlers for the topic have returned (or thrown).
     * Close the subscription to stop.
     */
    public Subscription subscribe(String topic, Consumer<BroadcastMessage> handler) {
        Names.utf8(topic, "topic", MAX_TOPIC_BYTES, "MAX_TOPIC_BYTES");
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
        byte[] topicBytes = Names.utf8(topic, "topic", MAX_TOPIC_BYTES, "MAX_TOPIC_BYTES");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(waitForAcks, "waitForAcks");
        byte[] payloadBytes = payload.getBytes(StandardCharsets.UTF_8);
        if (payloadBytes.length > broadcasts.maxPayloadBytes()) {
            throw new IllegalArgumentException("broadcast payload is " + payloadBytes.length
                    + " bytes of UTF-8, over the limit of " + broadcasts.maxPayloadBytes() + " bytes (maxBroadcastBytes)");
        }
        ensureOpen();
        List<Workers.Slot> recipients = workers.live();
        long sequence = broadcasts.publish(topicBytes, payloadBytes, pid);
        LockSupport.unpark(agent);
        long deadline = System.nanoTime() + waitForAcks.toNanos();
        while (true) {
            List<Long> acked = new ArrayList<>();
            List<Long> missing = new ArrayList<>();
            for (Workers.Slot recipient : recipients) {
                Workers.Slot now = workers.read(recipient.offset());
                if (now.pid() != recipient.pid() || !Processes.isAlive(recipient.pid(), recipient.processStart())) {
                    continue; // died or detached since: neither acked nor missing
                }
                (now.acked() >= sequence ? acked : missing).add(recipient.pid());
            }
            if (missing.isEmpty() || System.nanoTime() >= deadline || Thread.currentThread() == agent) {
                return new BroadcastResult(topic, sequence, acked, missing);
            }
            LockSupport.parkNanos(200_000);
        }
    }

    /** How full the store is. */
    public StoreStats stats() {
        ensureOpen();
        long fileBytes;
        try {
            fileBytes = Files.size(path) + Files.size(entries.chronicleFile().toPath());
        } catch (IOException e) {
            throw new HearthException("cannot read the size of store file " + path + ": " + e.getMessage(), e);
        }
        StoreFile.Layout layout = file.layout();
        return new StoreStats(entries.count(), layout.maxEntries(), counters.used(), layout.counterSlots(), fileBytes);
    }

    /** The store file this store was opened on. */
    public Path path() {
        return path;
    }

    /** Detaches this process from the store and closes its files. Safe to call twice. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LockSupport.unpark(agent);
        if (Thread.currentThread() != agent) {
            try {
                agent.join(Duration.ofSeconds(5).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.detach(workerSlot, pid);
        RuntimeException failure = null;
        try {
            entries.close();
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            channel.close(); // the mapping stays valid until collected, so a racing reader never faults
        } catch (IOException e) {
            HearthException closing = new HearthException("cannot close store file " + path + ": " + e.getMessage(), e);
            if (failure != null) {
                closing.addSuppressed(failure);
            }
            failure = closing;
        }
        if (failure != null) {
            throw failure;
        }
    }

    void ensureOpen() {
        if (closed.get()) {
            throw new StoreClosedException("store " + path + " is closed");
        }
    }

    private void runAgent(long startAfter) {
        long next = startAfter + 1;
        long waitingSince = 0;
        long nextHeartbeat = System.nanoTime() + Workers.HEARTBEAT_INTERVAL.toNanos();
        int idle = 0;
        while (!closed.get()) {
            if (System.nanoTime() - nextHeartbeat >= 0) {
                if (!workers.holds(workerSlot, pid)) {
                    LOG.log(System.Logger.Level.WARNING, "process " + pid + " lost its worker slot in " + path
                            + " (heartbeat older than " + Workers.STALE_AFTER + "?); attaching again");
                    workerSlot = workers.attach(pid, processStart, next - 1);
                }
                workers.heartbeat(workerSlot);
                nextHeartbeat = System.nanoTime() + Workers.HEARTBEAT_INTERVAL.toNanos();
            }
            boolean delivered = false;
            while (!closed.get() && broadcasts.tail() >= next) {
                Broadcasts.Read read = broadcasts.read(next, waitingSince);
                if (read instanceof Broadcasts.NotYet) {
                    waitingSince = waitingSince == 0 ? System.nanoTime() : waitingSince;
                    break;
                }
                waitingSince = 0;
                if (read instanceof Broadcasts.Message message) {
                    deliver(message.message());
                } else if (read instanceof Broadcasts.Skipped skipped) {
                    LOG.log(System.Logger.Level.WARNING, "broadcast lost in " + path + ": " + skipped.why());
                }
                workers.ack(workerSlot, next);
                next++;
                delivered = true;
            }
            idle = delivered ? 0 : Math.min(idle + 1, 6);
            // 50 us after activity, backing off to 2 ms when quiet: latency when busy, little CPU when idle.
            LockSupport.parkNanos(Math.min(2_000_000L, 50_000L << idle));
        }
    }

    private void deliver(BroadcastMessage message) {
        for (Consumer<BroadcastMessage> handler : subscribers.getOrDefault(message.topic(), List.of())) {
            try {
                handler.accept(message);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "handler for topic '" + message.topic() + "' threw", e);
            }
        }
    }

    /**
     * Capacity settings for a new store file. An existing file keeps the shape it was created
     * with; the builder's settings are then ignored, and {@link SharedStore#stats()} tells the real ones.
     */
    public static final class Builder {
        private final Path path;
        private long maxEntries = 100_000;
        private int expectedKeyBytes = 32;
        private int maxKeyBytes = 256;
        private int expectedValueBytes = 256;
        private int maxValueBytes = 64 * 1024;
        private int maxCounters = 4096;
        private int maxWorkers = 256;
        private int maxBroadcastBytes = 16 * 1024;
        private int broadcastSlots = 64;
        private ObjectMapper objectMapper;

        private Builder(Path path) {
            this.path = Objects.requireNonNull(path, "path");
        }

        /** Most map entries, over all maps; default 100,000. */
        public Builder maxEntries(long maxEntries) {
            this.maxEntries = check("maxEntries", maxEntries, 1, 100_000_000);
            return this;
        }

        /** Typical key length in bytes, for sizing; default 32. */
        public Builder expectedKeyBytes(int bytes) {
            this.expectedKeyBytes = (int) check("expectedKeyBytes", bytes, 1, 4096);
            return this;
        }

        /** Longest key in bytes of UTF-8; default 256, at most 4096. */
        public Builder maxKeyBytes(int bytes) {
            this.maxKeyBytes = (int) check("maxKeyBytes", bytes, 1, 4096);
            return this;
        }

        /** Typical value length in bytes of JSON, for sizing; default 256. */
        public Builder expectedValueBytes(int bytes) {
            this.expectedValueBytes = (int) check("expectedValueBytes", bytes, 1, 1 << 20);
            return this;
        }

        /** Longest value in bytes of JSON; default 65,536, at most 1 MiB. */
        public Builder maxValueBytes(int bytes) {
            this.maxValueBytes = (int) check("maxValueBytes", bytes, 16, 1 << 20);
            return this;
        }

        /** Most counter names; default 4096. Names are never freed. */
        public Builder maxCounters(int count) {
            this.maxCounters = (int) check("maxCounters", count, 1, 1 << 20);
            return this;
        }

        /** Most processes attached at once; default 256. */
        public Builder maxWorkers(int count) {
            this.maxWorkers = (int) check("maxWorkers", count, 1, 65_536);
            return this;
        }

        /** Longest broadcast payload in bytes of UTF-8; default 16 KiB, at most 1 MiB. */
        public Builder maxBroadcastBytes(int bytes) {
            this.maxBroadcastBytes = (int) check("maxBroadcastBytes", bytes, 1, 1 << 20);
            return this;
        }

        /** The Jackson mapper that writes and reads map values; default a plain {@code new ObjectMapper()}. */
        public Builder objectMapper(ObjectMapper mapper) {
            this.objectMapper = Objects.requireNonNull(mapper, "mapper");
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
            List<String> missing = JvmOptions.required().missingIn(SharedStore.class.getModule());
            if (!missing.isEmpty()) {
                throw new MissingJvmOptionsException(missing);
            }
            // Belt and braces: chronicle-analytics is excluded from the build, but an application may
            // bring it back; this property keeps it silent. Set before any Chronicle class loads.
            if (System.getProperty("chronicle.analytics.disable") == null) {
                System.setProperty("chronicle.analytics.disable", "true");
            }
            StoreFile.Layout layout = new StoreFile.Layout(maxCounters, maxWorkers, broadcastSlots,
                    StoreFile.BROADCAST_PAYLOAD + maxBroadcastBytes, maxKeyBytes, maxValueBytes, maxEntries);
            if (layout.fileLength() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("maxCounters=" + maxCounters + ", maxWorkers=" + maxWorkers
                        + " and maxBroadcastBytes=" + maxBroadcastBytes + " make a store file of " + layout.fileLength()
                        + " bytes, over the limit of " + Integer.MAX_VALUE);
            }
            Path absolute = path.toAbsolutePath();
            synchronized (OPEN_LOCK) {
                return openLocked(absolute, layout);
            }
        }

        private SharedStore openLocked(Path absolute, StoreFile.Layout layout) {
            File chronicleFile = new File(absolute + ".entries");
            FileChannel channel = null;
            try {
                Files.createDirectories(absolute.getParent());
                channel = openChannel(absolute);
                try (FileLock lock = channel.lock()) {
                    StoreFile file = StoreFile.mapOrCreate(absolute, channel, layout);
                    boolean newChronicle = !chronicleFile.exists() || chronicleFile.length() == 0;
                    if (file.created() && !newChronicle) {
                        // A fresh header would restart versions and the entry count under old entries.
                        throw new IncompatibleStoreException("store file " + absolute + " is new but its entries file "
                                + chronicleFile + " already holds data; restore the store file or remove the entries file");
                    }
                    Entries entries = Entries.open(chronicleFile, file, expectedKeyBytes, expectedValueBytes);
                    if (newChronicle) {
                        Files.setPosixFilePermissions(chronicleFile.toPath(), OWNER_ONLY);
                    }
                    try {
                        return new SharedStore(absolute, channel, file, entries,
                                objectMapper != null ? objectMapper : new ObjectMapper());
                    } catch (RuntimeException e) {
                        entries.close();
                        throw e;
                    }
                }
            } catch (IOException e) {
                closeQuietly(channel);
                throw new HearthException("cannot open store file " + absolute + ": " + e, e);
            } catch (RuntimeException e) {
                closeQuietly(channel);
                throw e;
            }
        }

        private static FileChannel openChannel(Path file) throws IOException {
            try {
                return FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException e) {
                return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
        }

        private static void closeQuietly(FileChannel channel) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // already failing with the cause that matters
                }
            }
        }

        private static long check(String setting, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(setting + " must be from " + min + " to " + max + ", was " + value);
            }
            return value;
        }
    }
}
