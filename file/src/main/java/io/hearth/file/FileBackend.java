package io.hearth.file;

import io.hearth.BroadcastMessage;
import io.hearth.BroadcastResult;
import io.hearth.HearthException;
import io.hearth.IncompatibleStoreException;
import io.hearth.StoreCheck;
import io.hearth.StoreClosedException;
import io.hearth.StoreStats;
import io.hearth.WorkerInfo;
import io.hearth.spi.Processes;

import io.hearth.spi.BackendLimits;
import io.hearth.spi.DeliveryLoop;
import io.hearth.spi.Heartbeat;
import io.hearth.spi.CounterCell;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoredEntry;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import net.openhft.chronicle.hash.ChronicleHashClosedException;
import net.openhft.chronicle.hash.locks.InterProcessDeadLockException;

/**
 * The memory-mapped engine: the store file ({@link StoreFile}: counters, workers, broadcasts) and
 * the entries file ({@link Entries}, a Chronicle Map). Each open store runs two daemon threads:
 * its heartbeat and its broadcast delivery.
 */
final class FileBackend implements StoreBackend {
    private static final System.Logger LOG = System.getLogger(FileBackend.class.getName());
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
    private final BackendLimits limits;
    private final long pid = Processes.currentPid();
    private final long processStart = Processes.currentStartMillis();
    private final long startAfter;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile DeliveryLoop delivery;
    private volatile Heartbeat heartbeat;
    private volatile int workerSlot;
    /** The newest broadcast this process acknowledged: where it starts again should it attach anew. */
    private volatile long acknowledged;

    private FileBackend(Path path, FileChannel channel, StoreFile file, Entries entries) {
        this.path = path;
        this.channel = channel;
        this.file = file;
        this.entries = entries;
        this.counters = new Counters(file, pid);
        this.workers = new Workers(file);
        this.broadcasts = new Broadcasts(file, workers);
        this.limits = new BackendLimits(file.layout().maxKeyBytes(), file.layout().maxValueBytes(),
                file.layout().maxPayloadBytes(), StoreFile.MAX_MAP_NAME_BYTES, StoreFile.MAX_COUNTER_NAME_BYTES,
                StoreFile.MAX_TOPIC_BYTES);
        this.startAfter = broadcasts.tail();
        this.acknowledged = startAfter;
        this.workerSlot = workers.attach(pid, processStart, startAfter);
    }

    /**
     * Opens or creates the store at path (absolute). Holds an exclusive OS lock on the store file
     * while opening, so processes opening a new store at the same instant create it once.
     */
    static FileBackend open(Path path, StoreFile.Layout layout, int expectedKeyBytes, int expectedValueBytes) {
        synchronized (OPEN_LOCK) {
            File chronicleFile = new File(path + ".entries");
            FileChannel channel = null;
            try {
                Files.createDirectories(path.getParent());
                channel = openChannel(path);
                try (FileLock lock = channel.lock()) {
                    boolean newChronicle = !chronicleFile.exists() || chronicleFile.length() == 0;
                    if (StoreFile.needsCreation(channel) && !newChronicle) {
                        // A fresh header would restart versions and the entry count under old entries.
                        // Decided before writing a byte: a refused open leaves no store file behind.
                        if (channel.size() == 0) {
                            Files.deleteIfExists(path);
                        }
                        throw new IncompatibleStoreException("store file " + path + " is missing or new but its entries file "
                                + chronicleFile + " already holds data; restore the store file or remove the entries file");
                    }
                    StoreFile file = StoreFile.mapOrCreate(path, channel, layout);
                    // Every attached process registers while holding this lock, so "no live worker" means
                    // nobody else has the map open: the one moment Chronicle's recovery may run.
                    boolean recover = !newChronicle && new Workers(file).diedWithNoneLive();
                    Entries entries = Entries.open(chronicleFile, file, expectedKeyBytes, expectedValueBytes, recover);
                    if (newChronicle) {
                        Files.setPosixFilePermissions(chronicleFile.toPath(), OWNER_ONLY);
                    }
                    try {
                        return new FileBackend(path, channel, file, entries);
                    } catch (RuntimeException e) {
                        entries.close();
                        throw e;
                    }
                }
            } catch (IOException e) {
                closeQuietly(channel);
                throw new HearthException("cannot open store file " + path + ": " + e, e);
            } catch (RuntimeException e) {
                closeQuietly(channel);
                throw e;
            }
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
    public CounterCell counter(String name) {
        return new FileCounter(file, counters.valueOffset(name));
    }

    @Override
    public CounterCell findCounter(String name) {
        int offset = counters.findValueOffset(name);
        return offset < 0 ? null : new FileCounter(file, offset);
    }

    @Override
    public StoredEntry get(String map, String key) {
        try {
            return entries.get(Entries.compositeKey(map, key));
        } catch (ChronicleHashClosedException e) {
            throw closed(e);
        } catch (InterProcessDeadLockException e) {
            throw stuckSegment(e);
        }
    }

    @Override
    public long write(String map, String key, long expectedVersion, byte[] json) {
        try {
            return entries.write(Entries.compositeKey(map, key), expectedVersion, json);
        } catch (ChronicleHashClosedException e) {
            throw closed(e);
        } catch (InterProcessDeadLockException e) {
            throw stuckSegment(e);
        }
    }

    @Override
    public StoredEntry remove(String map, String key, long expectedVersion) {
        try {
            return entries.remove(Entries.compositeKey(map, key), expectedVersion);
        } catch (ChronicleHashClosedException e) {
            throw closed(e);
        } catch (InterProcessDeadLockException e) {
            throw stuckSegment(e);
        }
    }

    @Override
    public void forEachKey(String map, Consumer<String> action) {
        try {
            entries.forEachKey(map, action);
        } catch (ChronicleHashClosedException e) {
            throw closed(e);
        } catch (InterProcessDeadLockException e) {
            throw stuckSegment(e);
        }
    }

    /**
     * Chronicle gave up waiting for a segment lock. Hearth's stripe locks mean nobody waits on
     * Chronicle's, so this takes a process that touched the entries file without them.
     */
    private HearthException stuckSegment(InterProcessDeadLockException e) {
        return new HearthException("a map segment of " + path + ".entries stayed locked past Chronicle's lock timeout;"
                + " Hearth's map locks should prevent that, so a process outside Hearth (or an older Hearth) may be"
                + " using the file; stop every process using it, then start them: the next open repairs the map", e);
    }

    /** A call that raced close(): the caller sees the store closed, as it would a moment later. */
    private StoreClosedException closed(ChronicleHashClosedException e) {
        StoreClosedException closed = new StoreClosedException("store " + path + " is closed");
        closed.initCause(e);
        return closed;
    }

    @Override
    public List<WorkerInfo> workers() {
        return workers.live().stream().map(Workers::info).toList();
    }

    @Override
    public BroadcastResult broadcast(String topic, String payload, Duration waitForAcks) {
        byte[] topicBytes = topic.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] payloadBytes = payload.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<Workers.Slot> recipients = workers.live();
        long sequence = broadcasts.publish(topicBytes, payloadBytes, pid);
        DeliveryLoop deliverer = delivery;
        if (deliverer != null) {
            deliverer.wake();
        }
        long deadline = System.nanoTime() + waitForAcks.toNanos();
        while (true) {
            List<Long> acked = new ArrayList<>();
            List<Long> missing = new ArrayList<>();
            for (Workers.Slot recipient : recipients) {
                Workers.Slot now = workers.read(recipient.offset());
                if (now.pid() != recipient.pid()) {
                    continue; // detached since: neither acked nor missing
                }
                if (now.acked() >= sequence) {
                    acked.add(recipient.pid());
                } else if (Processes.isAlive(recipient.pid(), recipient.processStart())) {
                    missing.add(recipient.pid());
                }
            }
            if (missing.isEmpty() || System.nanoTime() - deadline >= 0 || (deliverer != null && deliverer.isDeliveryThread())) {
                return new BroadcastResult(topic, sequence, acked, missing);
            }
            LockSupport.parkNanos(500_000);
        }
    }

    @Override
    public void startDelivery(Consumer<BroadcastMessage> sink) {
        heartbeat = Heartbeat.start(path.toString(), Workers.HEARTBEAT_INTERVAL, this::beat);
        delivery = DeliveryLoop.start(path.toString(), new RingSource(), startAfter, sink);
    }

    @Override
    public StoreStats stats() {
        long fileBytes;
        try {
            fileBytes = Files.size(path) + Files.size(entries.chronicleFile().toPath());
        } catch (IOException e) {
            throw new HearthException("cannot read the size of store file " + path + ": " + e.getMessage(), e);
        }
        StoreFile.Layout layout = file.layout();
        return new StoreStats(entries.count(), layout.maxEntries(), counters.used(), layout.counterSlots(), fileBytes);
    }

    /** Checks every table of both files; see {@link StoreCheck}. */
    StoreCheck.Report check() {
        List<String> problems = new ArrayList<>();
        int counterNames = counters.check(problems);
        broadcasts.check(problems);
        long found = entries.check(problems);
        return new StoreCheck.Report(path.toString(), problems, found, counterNames, entries.liveRecoveries());
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

    /** Beats while the slot is this process's; attaches again should another process have freed it. */
    private void beat() {
        if (!workers.holds(workerSlot, pid)) {
            LOG.log(System.Logger.Level.WARNING, "process " + pid + " lost its worker slot in " + path
                    + " (heartbeat older than " + Workers.STALE_AFTER + "?); attaching again");
            workerSlot = workers.attach(pid, processStart, acknowledged);
        }
        workers.heartbeat(workerSlot, pid);
    }

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
            // 50 us after activity, backing off to 2 ms when quiet: latency when busy, little CPU when idle.
            return Duration.ofNanos(Math.min(2_000_000L, 50_000L << Math.min(idleRounds, 6)));
        }
    }

    /** A counter slot's value: each operation one atomic instruction on the mapping. */
    private static final class FileCounter implements CounterCell {
        private final StoreFile file;
        private final int offset;

        FileCounter(StoreFile file, int offset) {
            this.file = file;
            this.offset = offset;
        }

        @Override
        public long get() {
            return file.getLongVolatile(offset);
        }

        @Override
        public void set(long value) {
            file.setLongVolatile(offset, value);
        }

        @Override
        public long getAndAdd(long delta) {
            return file.getAndAddLong(offset, delta);
        }

        @Override
        public boolean compareAndSet(long expected, long update) {
            return file.compareAndSetLong(offset, expected, update);
        }
    }
}
