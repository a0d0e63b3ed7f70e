package io.hearth.file;

import io.hearth.BroadcastMessage;
import io.hearth.BroadcastResult;
import io.hearth.HearthException;
import io.hearth.IncompatibleStoreException;
import io.hearth.StoreClosedException;
import io.hearth.StoreStats;
import io.hearth.WorkerInfo;
import io.hearth.spi.BackendLimits;
import io.hearth.spi.CounterCell;
import io.hearth.spi.DeliveryLoop;
import io.hearth.spi.Heartbeat;
import io.hearth.spi.Processes;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoredEntry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.openhft.chronicle.hash.ChronicleHashClosedException;
import net.openhft.chronicle.hash.locks.InterProcessDeadLockException;

/**
 * The memory-mapped backend, one attachment of this process to a store: the store file
 * ({@link StoreFile}: header, counters, workers, broadcasts, map locks, journal) and the entries
 * file ({@link EntriesFile}). {@link StoreOpener} opens it. Each open store runs three daemon
 * threads: its heartbeat, its broadcast delivery and its share of the expiry sweep ({@link ExpirySweeper}).
 */
final class FileBackend implements StoreBackend {
    private final Path path;
    private final FileChannel channel;
    private final StoreFile store;
    private final EntryShards shards;
    private final EntryStore entries;
    /** Hearth's own maps (locks, leaderships), kept apart from the entries. */
    private final LockRecords lockRecords;
    private final CounterTables counters;
    private final WorkerTable workers;
    private final BroadcastRing broadcasts;
    private final ExpirySweeper sweeper;
    private final BackendLimits limits;
    /** The change log, or null when it could not be made (a full disk): watching is then refused. */
    private final ChangeRing changes;
    private final UpdateTurnTable updateTurns;
    private final long pid = Processes.currentPid();
    private final long processStart = Processes.currentStartTicks();
    private final long startAfter;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile DeliveryLoop delivery;
    private volatile Heartbeat heartbeat;
    private volatile int workerSlot;
    /** The newest broadcast this process acknowledged: where it starts again should it attach anew. */
    private volatile long acknowledged;

    /** Attaches this process to the opened store; the caller holds the store's open lock. */
    FileBackend(FileChannel channel, StoreFile store, EntryShards shards, ShardSplit split, RedoJournal journal,
                SegmentSnapshots snapshots, ChangeRing changes) throws IOException {
        this.changes = changes;
        this.path = store.path();
        this.channel = channel;
        this.store = store;
        this.shards = shards;
        LiveRepair repair = new LiveRepair(shards, split, store, snapshots, journal, changes);
        this.entries = new EntryStore(shards, split, store, new MapLockTable(store, pid, repair), journal, changes);
        this.lockRecords = new LockRecords(store, pid);
        this.counters = new CounterTables(store, pid);
        this.workers = new WorkerTable(store);
        this.updateTurns = new UpdateTurnTable(store.mapped(), pid);
        this.broadcasts = new BroadcastRing(store, workers);
        this.sweeper = new ExpirySweeper(entries, counters, store.header());
        StoreLayout layout = store.layout();
        this.limits = new BackendLimits(layout.maxKeyBytes(), layout.maxValueBytes(), layout.maxPayloadBytes(),
                StoreLayout.MAX_MAP_NAME_BYTES, CounterSlots.MAX_NAME_BYTES, BroadcastRing.MAX_TOPIC_BYTES);
        this.startAfter = broadcasts.tail();
        this.acknowledged = startAfter;
        try {
            this.workerSlot = workers.attach(pid, processStart, startAfter);
        } catch (RuntimeException e) {
            entries.close();
            throw e;
        }
    }

    /**
     * Refuses an entries file that is not this store's (copied from another store, or made anew
     * under this header): its entries would not match the header's versions and count.
     */
    void checkEntriesBelong() {
        byte[] expected = store.header().storeId();
        List<String> foreign = call(() -> entries.foreignShards(expected));
        if (!foreign.isEmpty()) {
            throw new IncompatibleStoreException("the entries file " + String.join(", ", foreign) + " does not belong to store "
                    + path + ", whose id is " + HexFormat.of().formatHex(expected) + "; put back the entries files made"
                    + " with this store, or remove them all to start an empty store");
        }
    }

    /** Whether this open created the store. */
    boolean created() {
        return store.created();
    }

    StoreLayout layout() {
        return store.layout();
    }

    @Override
    public BackendLimits limits() {
        return limits;
    }

    @Override
    public String location() {
        return path.toString();
    }

    @Override
    public boolean countersNeverBlock() {
        return true;
    }

    @Override
    public CounterCell counter(String name, long timeToLiveMillis) {
        if (timeToLiveMillis > 0) {
            store.header().markExpiryUsed();
        }
        return new FileCounter(counters, name, timeToLiveMillis, counters.resolve(name, timeToLiveMillis));
    }

    @Override
    public CounterCell findCounter(String name) {
        CounterTables.Slot found = counters.find(name);
        // A write through this handle after a removal names a counter without expiry, as counter(name) would.
        return found == null ? null : new FileCounter(counters, name, 0, found);
    }

    @Override
    public boolean removeCounter(String name) {
        return counters.remove(name);
    }

    @Override
    public Set<String> counterNames() {
        return counters.liveNames();
    }

    @Override
    public Set<String> mapNames() {
        Set<String> names = new java.util.HashSet<>(call(entries::mapNames));
        names.addAll(lockRecords.mapNames());
        return names;
    }

    @Override
    public StoredEntry get(String map, String key) {
        if (isOwn(map)) {
            return lockRecords.get(map, key);
        }
        return call(() -> entries.get(CompositeKeys.of(map, key)));
    }

    @Override
    public StoredEntry getIfChanged(String map, String key, long knownVersion, long knownExpiresAt) {
        if (isOwn(map)) {
            return lockRecords.get(map, key);
        }
        return call(() -> entries.getIfChanged(CompositeKeys.of(map, key), knownVersion, knownExpiresAt));
    }

    /** The header's version sequence, which every change to an entry moves (format version 5). */
    @Override
    public long changeStamp() {
        return store.header().versionSequence();
    }

    /**
     * True: {@link #getIfChanged} is one look-up in shared memory, and versions come from
     * the header's sequence, which never goes back while the store is open.
     */
    @Override
    public boolean supportsReadCache() {
        return true;
    }

    @Override
    public long write(String map, String key, long expectedVersion, byte[] json, long expiresAt) {
        if (isOwn(map)) {
            refuseExpiry(map, expiresAt);
            return lockRecords.write(map, key, expectedVersion, json);
        }
        if (expiresAt > 0) {
            store.header().markExpiryUsed();
        }
        return call(() -> entries.write(CompositeKeys.of(map, key), expectedVersion, json, expiresAt));
    }

    @Override
    public boolean expire(String map, String key, long expiresAt) {
        if (isOwn(map)) {
            refuseExpiry(map, expiresAt);
            return lockRecords.get(map, key) != null;
        }
        if (expiresAt > 0) {
            store.header().markExpiryUsed();
        }
        return call(() -> entries.expire(CompositeKeys.of(map, key), expiresAt));
    }

    @Override
    public StoredEntry remove(String map, String key, long expectedVersion) {
        if (isOwn(map)) {
            return lockRecords.remove(map, key, expectedVersion);
        }
        return call(() -> entries.remove(CompositeKeys.of(map, key), expectedVersion));
    }

    @Override
    public void forEachKey(String map, Consumer<String> action) {
        if (isOwn(map)) {
            lockRecords.forEachKey(map, action);
            return;
        }
        call(() -> {
            entries.forEachKey(map, action);
            return null;
        });
    }

    /** Whether the map is one of Hearth's own, whose records are {@link LockRecords}. */
    private static boolean isOwn(String map) {
        return map.startsWith(StoreBackend.OWN_MAP_PREFIX);
    }

    /** A lock's holder on this store is known dead by its pid: its record never expires. */
    private static void refuseExpiry(String map, long expiresAt) {
        if (expiresAt != NO_EXPIRY && expiresAt != KEEP_EXPIRY) {
            throw new IllegalArgumentException("records of Hearth's own map '" + map.substring(OWN_MAP_PREFIX.length())
                    + "' do not expire on a file store (asked to expire at " + expiresAt + ")");
        }
    }

    /** One map call, with Chronicle's failures turned into Hearth's. */
    private <T> T call(Supplier<T> mapCall) {
        try {
            return mapCall.get();
        } catch (ChronicleHashClosedException e) {
            // A call that raced close(): the caller sees the store closed, as it would a moment later.
            StoreClosedException closed = new StoreClosedException("store " + path + " is closed");
            closed.initCause(e);
            throw closed;
        } catch (InterProcessDeadLockException e) {
            // Hearth's stripe locks mean nobody waits on Chronicle's: someone used the file without them.
            throw new HearthException("a map segment of the entries of " + path + " stayed locked past Chronicle's lock"
                    + " timeout; Hearth's map locks should prevent that, so a process outside Hearth (or an older Hearth)"
                    + " may be using the file; stop every process using it, then start them: the next open repairs the map", e);
        }
    }

    @Override
    public List<WorkerInfo> workers() {
        return workers.live().stream().map(WorkerTable::info).toList();
    }

    @Override
    public BroadcastResult broadcast(String topic, String payload, Duration waitForAcks) {
        List<WorkerTable.Slot> recipients = workers.live();
        long sequence = broadcasts.publish(topic.getBytes(StandardCharsets.UTF_8), payload.getBytes(StandardCharsets.UTF_8), pid);
        DeliveryLoop deliverer = delivery;
        if (deliverer != null) {
            deliverer.wake();
        }
        // A handler that broadcasts runs on the delivery thread: waiting there for its own acknowledgement would never end.
        boolean mayWait = deliverer == null || !deliverer.isDeliveryThread();
        long deadline = System.nanoTime() + waitForAcks.toNanos();
        while (true) {
            List<Long> acked = new ArrayList<>();
            List<Long> missing = new ArrayList<>();
            for (WorkerTable.Slot recipient : recipients) {
                WorkerTable.Slot now = workers.read(recipient.offset());
                if (now.pid() != recipient.pid()) {
                    continue; // detached since: neither acked nor missing
                }
                if (now.acked() >= sequence) {
                    acked.add(recipient.pid());
                } else if (Processes.isAlive(recipient.pid(), recipient.processStart())) {
                    missing.add(recipient.pid());
                }
            }
            if (missing.isEmpty() || !mayWait || System.nanoTime() - deadline >= 0) {
                return new BroadcastResult(topic, sequence, acked, missing);
            }
            LockSupport.parkNanos(500_000);
        }
    }

    @Override
    public void startDelivery(Consumer<BroadcastMessage> sink) {
        heartbeat = Heartbeat.start(path.toString(), WorkerTable.HEARTBEAT_INTERVAL, this::beat);
        delivery = DeliveryLoop.start(path.toString(), new RingSource(), startAfter, sink);
        sweeper.start(path.toString());
    }

    /**
     * Sweeps every segment of every shard once, at nowMillis, without the step's time budget: what
     * a sweep costs per entry it examines, for the benchmark (benchmarks' SweepBenchmarks).
     */
    SweepStep sweepLap(long nowMillis) {
        return call(() -> {
            int[] segments = entries.segmentsPerShard();
            long examined = 0;
            long removed = 0;
            for (int shard = 0; shard < segments.length; shard++) {
                for (int segment = 0; segment < segments[shard]; segment++) {
                    SweepStep step = entries.sweep(shard, segment, nowMillis);
                    examined += step.examined();
                    removed += step.removed();
                }
            }
            return new SweepStep(Math.toIntExact(examined), Math.toIntExact(removed));
        });
    }

    @Override
    public io.hearth.spi.UpdateTurns updateTurns() {
        return updateTurns;
    }

    @Override
    public io.hearth.spi.ChangeLog changeLog() {
        return changes;
    }

    @Override
    public StoreStats stats() {
        long fileBytes;
        try {
            fileBytes = Files.size(path) + shards.fileBytes();
        } catch (IOException e) {
            throw new HearthException("cannot read the size of store file " + path + ": " + e.getMessage(), e);
        }
        StoreLayout layout = store.layout();
        long counterCap = layout.maxCounters() == 0 ? Integer.MAX_VALUE : layout.maxCounters();
        long entryCap = layout.maxEntries() == 0 ? Long.MAX_VALUE : layout.maxEntries();
        StoreHeader header = store.header();
        return new StoreStats(entries.count(), entryCap, (int) counters.named(), (int) counterCap, fileBytes,
                limits.maxKeyBytes(), limits.maxValueBytes(), limits.maxBroadcastBytes(), layout.workerSlots(),
                header.splitsDone() + header.counterOverflowTables(), ShardRouting.shards(header.routing()));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (delivery != null) {
            delivery.close();
        }
        if (heartbeat != null) {
            heartbeat.close();
        }
        sweeper.close();
        workers.detach(workerSlot, pid);
        RuntimeException failure = null;
        counters.close();
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

    /** Beats while the slot is this process's; attaches again should another process have freed it. */
    private void beat() {
        if (!workers.holds(workerSlot, pid)) {
            System.getLogger(FileBackend.class.getName()).log(System.Logger.Level.WARNING, "process " + pid
                    + " lost its worker slot in " + path + " (another process took it for dead); attaching again");
            workerSlot = workers.attach(pid, processStart, acknowledged);
        }
        workers.heartbeat(workerSlot, pid);
    }

    /** Idle rounds after which delivery looks every {@link #QUIET_WAIT}: about a second of 2 ms looks. */
    private static final int QUIET_ROUNDS = 500;
    private static final Duration QUIET_WAIT = Duration.ofMillis(20);

    /** The broadcast ring as this process's delivery loop reads it. */
    private final class RingSource implements DeliveryLoop.Source {
        @Override
        public long newest() {
            return broadcasts.tail();
        }

        @Override
        public DeliveryLoop.Read read(long sequence, long waitingSinceNanos) {
            return broadcasts.read(sequence, waitingSinceNanos);
        }

        @Override
        public void acknowledge(long sequence) {
            acknowledged = sequence;
            workers.ack(workerSlot, pid, sequence);
        }

        @Override
        public Duration idleWait(int idleRounds) {
            // 50 us after activity, backing off to 2 ms when quiet, and to 20 ms after about a second of
            // quiet: latency when busy, little CPU when idle (each look costs tens of microseconds of
            // CPU, so 2 ms looks kept 40 standbys on a core's worth of wake-ups).
            if (idleRounds >= QUIET_ROUNDS) {
                return QUIET_WAIT;
            }
            return Duration.ofNanos(Math.min(2_000_000L, 50_000L << Math.min(idleRounds, 6)));
        }
    }
}
