package io.hearth.file;

import io.hearth.BroadcastMessage;
import io.hearth.SharedCounter;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.Versioned;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.zip.CRC32;

/**
 * The process side of {@link ProcessKillTest}: a JVM that opens the store, loops on one scenario's
 * operations until the parent says stop or kills it, and keeps its accounting in a small
 * memory-mapped {@link Ledger} of its own. The page cache outlives a SIGKILL, so the parent reads a
 * killed process's ledger as it was at the instant of the kill.
 *
 * <p>Arguments: scenario, store file, control file (the parent's go and stop flags), ledger file,
 * this process's name, the partner observer's name ("-" for a victim).
 */
public final class KillChild {
    static final String COUNTER = "hits";
    static final String MAP = "kill";
    /** Keys 0..3 take {@link SharedMap#update}; 4 takes compare-and-put; 5 takes put. */
    static final String[] KEYS = {"u0", "u1", "u2", "u3", "cas", "scratch"};
    static final int UPDATE_KEYS = 4;
    static final int CAS_KEY = 4;
    static final int SCRATCH_KEY = 5;
    static final String TOPIC = "kill";
    /** Observers wait this long for acknowledgements; victims do not wait, so they publish flat out. */
    static final Duration ACK_WAIT = Duration.ofMillis(50);
    /** Big enough that a kill lands inside the copy of a value or message now and then. */
    private static final int PAD_CHARS = 1536;
    private static final int PAYLOAD_PAD_CHARS = 1024;
    private static final long OBSERVER_PAUSE_NANOS = 100_000;

    /** What the processes do; one test each. */
    enum Scenario {
        COUNTERS("counter increments"), MAP_UPDATES("map updates"), BROADCASTS("broadcasts");

        final String title;

        Scenario(String title) {
            this.title = title;
        }
    }

    /** The operations, as the ledger names the one in flight and the slowest. */
    enum Op {
        INCREMENT, READ_COUNTER, UPDATE, COMPARE_AND_PUT, PUT, GET, BROADCAST;

        /** The op and its key in one ledger word. */
        long code(int key) {
            return (ordinal() + 1) * 16L + key;
        }

        static Op of(long code) {
            return values()[(int) (code / 16) - 1];
        }

        static String describe(long code) {
            if (code == 0) {
                return "no operation";
            }
            Op op = of(code);
            String key = KEYS[(int) (code % 16)];
            return switch (op) {
                case INCREMENT -> "incrementAndGet of counter '" + COUNTER + "'";
                case READ_COUNTER -> "get of counter '" + COUNTER + "'";
                case UPDATE -> "update of map key '" + key + "'";
                case COMPARE_AND_PUT -> "getVersioned/compareAndPut of map key '" + key + "'";
                case PUT -> "put of map key '" + key + "'";
                case GET -> "get of map key '" + key + "'";
                case BROADCAST -> "broadcast on topic '" + TOPIC + "'";
            };
        }
    }

    /** A map value that says whether it is whole: copy and pad are both made from n. */
    public record Big(long n, long copy, String pad) {
        static Big of(long n) {
            return new Big(n, n, padFor(n, PAD_CHARS));
        }

        boolean intact() {
            return copy == n && padFor(n, PAD_CHARS).equals(pad);
        }

        @Override
        public String toString() {
            return "Big[n=" + n + ", copy=" + copy + ", pad " + (pad == null ? "null" : pad.length() + " chars"
                    + (padFor(n, PAD_CHARS).equals(pad) ? " made from n" : " NOT made from n")) + "]";
        }
    }

    private final Scenario scenario;
    private final SharedStore store;
    private final SharedCounter hits;
    private final SharedMap<Big> map;
    private final Ledger ledger;
    private final String name;
    private final String partner;
    private final boolean observer;
    private final SplittableRandom random = new SplittableRandom();
    private boolean warmingUp = true;
    /** Highest counter value this process has seen: values only grow. */
    private long lastCount;
    /** Broadcast handler state; the store's single delivery thread is its only user. */
    private final Map<String, Long> lastSequenceBySender = new HashMap<>();
    /** The delivery loop's logger (it logs skipped broadcasts), held so that the handler added to it stays. */
    private final Logger skipLog = Logger.getLogger(io.hearth.spi.DeliveryLoop.class.getName());

    private KillChild(Scenario scenario, SharedStore store, Ledger ledger, String name, String partner) {
        this.scenario = scenario;
        this.store = store;
        this.hits = scenario == Scenario.COUNTERS ? store.counter(COUNTER) : null;
        this.map = store.map(MAP, Big.class);
        this.ledger = ledger;
        this.name = name;
        this.partner = partner;
        this.observer = !partner.equals("-");
    }

    public static void main(String[] args) {
        Scenario scenario = Scenario.valueOf(args[0]);
        Ledger control = Ledger.open(Path.of(args[2]));
        Ledger ledger = Ledger.open(Path.of(args[3]));
        try (SharedStore store = SharedStore.open(Path.of(args[1]))) {
            KillChild child = new KillChild(scenario, store, ledger, args[4], args[5]);
            if (scenario == Scenario.BROADCASTS) {
                store.subscribe(TOPIC, child::receive);
                child.countSkippedBroadcasts();
            }
            child.warmUp();
            ledger.set(Ledger.READY, 1);
            while (control.get(Ledger.GO) == 0) {
                LockSupport.parkNanos(100_000);
            }
            ledger.set(Ledger.WORKING_SINCE, System.currentTimeMillis());
            while (control.get(Ledger.STOP) == 0) {
                child.step();
                if (child.observer) {
                    // Victims run flat out, so that kills land inside operations; observers leave the
                    // CPU to the victims' JVM start-ups, which a small machine has little of.
                    LockSupport.parkNanos(OBSERVER_PAUSE_NANOS);
                }
            }
            ledger.set(Ledger.DONE, 1);
        }
    }

    /** One of each operation, timed apart from the rest: a fresh JVM loads classes on its first calls. */
    private void warmUp() {
        switch (scenario) {
            case COUNTERS -> {
                increment();
                readCounter();
            }
            case MAP_UPDATES -> {
                update(0);
                compareAndPut();
                put();
                get(0);
            }
            case BROADCASTS -> broadcast();
        }
        warmingUp = false;
    }

    private void step() {
        int dice = random.nextInt(100);
        switch (scenario) {
            case COUNTERS -> {
                if (dice < 90) {
                    increment();
                } else {
                    readCounter();
                }
            }
            case MAP_UPDATES -> {
                if (dice < 70) {
                    update(random.nextInt(UPDATE_KEYS));
                } else if (dice < 85) {
                    compareAndPut();
                } else if (dice < 95) {
                    put();
                } else {
                    get(random.nextInt(KEYS.length));
                }
            }
            case BROADCASTS -> broadcast();
        }
    }

    private void increment() {
        timed(Op.INCREMENT, 0, true, () -> {
            long value = hits.incrementAndGet();
            if (value <= lastCount) {
                problem(Ledger.TORN, "incrementAndGet returned " + value + " after this process had seen " + lastCount);
            }
            lastCount = Math.max(lastCount, value);
        });
    }

    private void readCounter() {
        timed(Op.READ_COUNTER, 0, false, () -> {
            long value = hits.get();
            if (value < lastCount) {
                problem(Ledger.TORN, "get returned " + value + " after this process had seen " + lastCount);
            }
            lastCount = Math.max(lastCount, value);
        });
    }

    /** Adds one to n of an update key; counted in sent and acked. */
    private void update(int key) {
        timed(Op.UPDATE, key, true, () -> map.update(KEYS[key], current -> Big.of(whole(current, key).n() + 1)));
    }

    /** Adds one to n of the compare-and-put key, reading and retrying until it wins; counted in sent and acked. */
    private void compareAndPut() {
        timed(Op.COMPARE_AND_PUT, CAS_KEY, true, () -> {
            while (true) {
                Versioned<Big> seen = map.getVersioned(KEYS[CAS_KEY]);
                Big current = whole(seen == null ? null : seen.value(), CAS_KEY);
                if (map.compareAndPut(KEYS[CAS_KEY], seen.version(), Big.of(current.n() + 1)) != 0) {
                    return;
                }
            }
        });
    }

    /** Overwrites the scratch key with a value of its own; only checked for being whole. */
    private void put() {
        Big value = Big.of(random.nextLong(1_000_000_000L));
        timed(Op.PUT, SCRATCH_KEY, false, () -> map.put(KEYS[SCRATCH_KEY], value));
    }

    private void get(int key) {
        timed(Op.GET, key, false, () -> whole(map.get(KEYS[key]), key));
    }

    /** The value, when it is present and whole; otherwise records the problem and throws, so nothing is written. */
    private Big whole(Big value, int key) {
        if (value == null || !value.intact()) {
            String what = "map key '" + KEYS[key] + "' read as " + value + " (the parent seeded it; it must be whole)";
            problem(Ledger.TORN, what);
            throw new IllegalStateException(what);
        }
        return value;
    }

    private void broadcast() {
        String payload = payload(name, ledger.get(Ledger.SENT) + 1);
        Duration wait = observer ? ACK_WAIT : Duration.ZERO;
        timed(Op.BROADCAST, 0, true, () -> store.broadcast(TOPIC, payload, wait));
    }

    /** The handler: every message must be whole, and each sender's messages must come in the order sent. */
    private void receive(BroadcastMessage message) {
        String[] parts = message.payload().split(":");
        if (parts.length != 4 || !parts[3].equals(checksum(parts[0] + ":" + parts[1] + ":" + parts[2]))) {
            String start = message.payload().substring(0, Math.min(60, message.payload().length()));
            problem(Ledger.TORN, "message " + message.sequence() + " from pid " + message.senderPid() + " is not whole: "
                    + message.payload().length() + " chars starting '" + start + "'");
            return;
        }
        ledger.add(Ledger.RECEIVED, 1);
        long sequence = Long.parseLong(parts[1]);
        Long before = lastSequenceBySender.put(parts[0], sequence);
        if (before != null && sequence <= before) {
            problem(Ledger.TORN, "message " + sequence + " of " + parts[0] + " arrived after its message " + before);
        }
        if (parts[0].equals(partner) && sequence > ledger.get(Ledger.PARTNER_SEQUENCE)) {
            ledger.set(Ledger.PARTNER_SEQUENCE, sequence);
        }
    }

    /**
     * Counts the messages the store's delivery thread skipped, as it logs them: a message whose
     * writer was killed while writing it, or one overwritten before this process read it. A
     * failure of the delivery thread counts as an error.
     */
    private void countSkippedBroadcasts() {
        skipLog.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = String.valueOf(record.getMessage());
                if (message.startsWith("broadcast lost")) {
                    ledger.add(message.contains("died while writing") ? Ledger.SKIPPED_DEAD_WRITER : Ledger.SKIPPED_OTHER, 1);
                } else if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    problem(Ledger.ERRORS, message + ": " + record.getThrown());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }

    /** "sender:sequence:pad:checksum", the checksum over what comes before it. */
    static String payload(String sender, long sequence) {
        String body = sender + ":" + sequence + ":" + padFor(sequence, PAYLOAD_PAD_CHARS);
        return body + ":" + checksum(body);
    }

    private static String checksum(String text) {
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return Long.toHexString(crc.getValue());
    }

    /** chars characters made from n alone. */
    static String padFor(long n, int chars) {
        long mixed = n * 0x9E3779B97F4A7C15L;
        String unit = Long.toHexString((mixed ^ (mixed >>> 29)) | Long.MIN_VALUE); // always 16 hex digits
        return unit.repeat(chars / unit.length());
    }

    /**
     * Runs one operation and records it: sent before the call, acked after it returns (for the
     * counted ones), what is in flight while it runs, and how long it took.
     */
    private void timed(Op op, int key, boolean counted, Runnable call) {
        long start = System.nanoTime();
        ledger.set(Ledger.IN_FLIGHT_OP, op.code(key));
        ledger.set(Ledger.IN_FLIGHT_SINCE, System.currentTimeMillis());
        if (counted) {
            ledger.add(Ledger.SENT, 1);
        }
        try {
            call.run();
            if (counted) {
                ledger.add(Ledger.ACKED, 1);
            }
        } catch (RuntimeException e) {
            problem(Ledger.ERRORS, Op.describe(op.code(key)) + " threw " + e);
            e.printStackTrace();
        } finally {
            long took = System.nanoTime() - start;
            ledger.set(Ledger.IN_FLIGHT_SINCE, 0);
            if (warmingUp) {
                ledger.raise(Ledger.WARM_UP_MAX_NANOS, took);
            } else {
                ledger.add(Ledger.OPS, 1);
                if (took > ledger.get(Ledger.MAX_NANOS)) {
                    ledger.set(Ledger.MAX_NANOS, took);
                    ledger.set(Ledger.SLOWEST_OP, op.code(key));
                }
            }
        }
    }

    private void problem(int counter, String what) {
        ledger.add(counter, 1);
        ledger.note(name + ": " + what);
    }

    /**
     * A small file of longs shared by one child and the parent through the page cache, so it
     * outlives a SIGKILL of the child. Each child has one; the control file uses GO and STOP.
     */
    static final class Ledger {
        static final int BYTES = 4096;
        /** In the control file: set by the parent once every first child is ready; then the stop flag. */
        static final int GO = 0;
        static final int STOP = 8;
        /** In a child's ledger. */
        static final int READY = 0;
        static final int WORKING_SINCE = 8;
        static final int DONE = 16;
        static final int SENT = 24;
        static final int ACKED = 32;
        static final int OPS = 40;
        static final int MAX_NANOS = 48;
        static final int SLOWEST_OP = 56;
        static final int WARM_UP_MAX_NANOS = 64;
        static final int IN_FLIGHT_SINCE = 72;
        static final int IN_FLIGHT_OP = 80;
        static final int ERRORS = 88;
        static final int TORN = 96;
        static final int RECEIVED = 104;
        static final int PARTNER_SEQUENCE = 112;
        static final int SKIPPED_DEAD_WRITER = 120;
        static final int SKIPPED_OTHER = 128;
        /** The first problem the child met, as length and UTF-8. */
        private static final int NOTE_LENGTH = 136;
        private static final int NOTE = 144;

        private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

        private final MappedByteBuffer buffer;

        private Ledger(MappedByteBuffer buffer) {
            this.buffer = buffer;
        }

        /** A new file of zeros. */
        static Ledger create(Path path) {
            return map(path, StandardOpenOption.CREATE_NEW);
        }

        static Ledger open(Path path) {
            return map(path, StandardOpenOption.READ);
        }

        private static Ledger map(Path path, StandardOpenOption mode) {
            try (FileChannel channel = FileChannel.open(path, mode, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                return new Ledger(channel.map(FileChannel.MapMode.READ_WRITE, 0, BYTES));
            } catch (IOException e) {
                throw new IllegalStateException("cannot map ledger " + path, e);
            }
        }

        long get(int offset) {
            return (long) LONGS.getVolatile(buffer, offset);
        }

        void set(int offset, long value) {
            LONGS.setVolatile(buffer, offset, value);
        }

        void add(int offset, long delta) {
            LONGS.getAndAdd(buffer, offset, delta);
        }

        void raise(int offset, long value) {
            if (value > get(offset)) {
                set(offset, value);
            }
        }

        /** Keeps the first note only. */
        synchronized void note(String text) {
            if (get(NOTE_LENGTH) != 0) {
                return;
            }
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            int length = Math.min(bytes.length, BYTES - NOTE);
            buffer.put(NOTE, bytes, 0, length);
            set(NOTE_LENGTH, length);
        }

        /** The first problem noted, or "". */
        String note() {
            byte[] bytes = new byte[(int) get(NOTE_LENGTH)];
            buffer.get(NOTE, bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
