package io.hearth.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.hearth.testkit.Listeners;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * One chaos run against whatever serves {@code POST /increment} and {@code GET /report} on a
 * loopback port (Hearth's workers under their supervisor, or the seed's FastAPI answer under
 * gunicorn): clients each send increments on a new connection per request while a random
 * <em>serving</em> process (one the kernel lists as listening on the port, among the processes
 * given) is killed with SIGKILL every {@code killEvery} for {@code chaos}. A request counts as sent
 * before its connection is opened and as acknowledged once a 2xx answer with its count was read.
 * It measures and reports; the caller asserts.
 */
final class ChaosRun implements AutoCloseable {
    /** A client whose request failed waits this long before the next, as a real one backs off (16 clients retrying every 5 ms burnt half a core). */
    private static final long PAUSE_AFTER_FAILURE_MILLIS = 50;
    private static final byte[] INCREMENT = RawHttp.bytes("POST", "/increment", Map.of(), null);
    private static final byte[] REPORT = RawHttp.bytes("GET", "/report", Map.of(), null);
    private static final int CLIENT_WARM_UP_READS = 20;
    private static final long SLOW_CONNECT_NANOS = TimeUnit.MILLISECONDS.toNanos(900);

    /**
     * @param workers   how many processes serve the port when all is well (for the share of the time all served)
     * @param clients   client threads, each a new connection per request
     * @param killEvery how often a serving process is killed
     * @param chaos     for how long
     */
    record Settings(int workers, int clients, Duration killEvery, Duration chaos) {
        /** Kill ticks in the run. */
        long ticks() {
            return chaos.toNanos() / killEvery.toNanos();
        }
    }

    /** What one run measured. */
    record Result(Settings settings, int kills, int waited, int missed, Tally tally, double darkPercent, double fullPercent,
                  long chaosStart, long chaosEnd, Map<Long, Instant> processStarts, Hiccups hiccups) {
        /** The one-line summary every caller prints (count is the server's total after the run). */
        String summary(String name, long count) {
            return String.format("chaos %s: serving-kills=%d sent=%d acked=%d C=%d refused=%d broken=%d timed-out=%d"
                            + " other-status=%s worst-acked-ms=%.1f p99-ms=%.1f port-dark=%.1f%% all-%d-serving=%.1f%%",
                    name, kills, tally.sent, tally.acked, count, tally.refused, tally.broken, tally.timedOut, tally.otherStatus,
                    tally.worstMillis(), tally.percentileMillis(99), darkPercent, settings.workers(), fullPercent);
        }

        /** How the run went over time, for the log: nothing here is asserted. */
        List<String> details() {
            return List.of(String.format("%d ms of kills (%d ticks found no serving process at first, %d none until the next"
                            + " tick); acked per second %s; longest time without an ack %d ms; connects that took over 900 ms %d;"
                            + " this JVM's worst scheduling delay %d ms, %d over 100 ms",
                    (chaosEnd - chaosStart) / 1_000_000, waited, missed, Arrays.toString(tally.ackedPerSecond(chaosStart, chaosEnd)),
                    tally.longestWithoutAck(chaosStart, chaosEnd) / 1_000_000, tally.slowConnects, hiccups.worstNanos / 1_000_000,
                    hiccups.delays.size()),
                    "slowest acknowledged requests: " + tally.slowest(5, chaosStart, processStarts, hiccups));
        }
    }

    private final int port;
    private final Supplier<List<ProcessHandle>> processes;
    private final Settings settings;
    private final Signals signals;
    private final List<Client> clients = new ArrayList<>();
    private final Hiccups hiccups = new Hiccups();

    /** @param processes the processes that may serve the port (a supervisor's descendants), looked at on every tick */
    ChaosRun(int port, Supplier<List<ProcessHandle>> processes, Settings settings) {
        this.port = port;
        this.processes = processes;
        this.settings = settings;
        this.signals = new Signals(settings.clients());
    }

    /** Warms the clients up on reads, then runs the kills with the clients sending, and stops the clients. */
    Result run(Duration clientWarmUpLimit) throws InterruptedException {
        hiccups.start();
        for (int i = 0; i < settings.clients(); i++) {
            Client client = new Client(port, signals, "chaos-client-" + i);
            clients.add(client);
            client.start();
        }
        Killer killer = new Killer(processes, port, settings.killEvery(), settings.chaos());
        killer.warmUp();
        ListenerCount listeners = new ListenerCount(port, settings.workers());
        if (!signals.warmedUp.await(clientWarmUpLimit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the clients did not warm up within " + clientWarmUpLimit);
        }
        long chaosStart = System.nanoTime();
        signals.go.countDown();
        listeners.start();
        killer.run(chaosStart); // on this thread
        long chaosEnd = System.nanoTime();
        listeners.interrupt();
        signals.stop.set(true);
        for (Client client : clients) {
            client.join(TimeUnit.MINUTES.toMillis(1));
            if (client.isAlive()) {
                throw new AssertionError(client.getName() + " did not stop within a minute");
            }
        }
        return new Result(settings, killer.kills, killer.waited, killer.missed, Tally.of(clients), listeners.darkPercent(),
                listeners.fullPercent(), chaosStart, chaosEnd, killer.started, hiccups);
    }

    /** GET /report until a process answers (right after the chaos some may still be starting): the count. */
    static long finalCount(int port, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                RawHttp.Response report = RawHttp.request(port, "GET", "/report");
                if (report.status() == 200) {
                    return report.json().get("count").asLong();
                }
            } catch (UncheckedIOException refused) {
                // nothing listens at this instant
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nothing answered GET /report on port " + port + " within " + wait + " after the chaos");
            }
            Thread.sleep(50);
        }
    }

    /** Stops the clients, however the run ended. */
    @Override
    public void close() {
        signals.stop.set(true);
        signals.go.countDown();
        hiccups.interrupt();
        try {
            for (Client client : clients) {
                client.join(TimeUnit.SECONDS.toMillis(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sends SIGKILL to a random serving worker every killEvery for chaos: one that holds a socket
     * listening on the shared port, as the kernel says ({@link Listeners}), not a standby nor a
     * worker still starting. A tick that finds none waits for one until the next tick.
     */
    private static final class Killer {
        private final Supplier<List<ProcessHandle>> processes;
        private final int port;
        private final Duration killEvery;
        private final Duration chaos;
        /** Killed already: a dead worker stays listed until the supervisor has reaped it, and must not count twice. */
        private final Set<ProcessHandle> killed = new HashSet<>();
        /** When each worker seen started, to tell in a slow request's report how young its worker was. */
        final Map<Long, Instant> started = new ConcurrentHashMap<>();
        int kills;
        /** Ticks at which no worker served at first (none listened on the port): the first to serve was killed. */
        int waited;
        /** Ticks at which no worker served until the next tick. */
        int missed;

        Killer(Supplier<List<ProcessHandle>> processes, int port, Duration killEvery, Duration chaos) {
            this.processes = processes;
            this.port = port;
            this.killEvery = killEvery;
            this.chaos = chaos;
        }

        /** Looks once, so that the first tick is not late for this JVM's cold code (seen: 1.5 s). */
        void warmUp() {
            List<ProcessHandle> workers = processes.get();
            workers.forEach(worker -> worker.info().startInstant().ifPresent(start -> started.putIfAbsent(worker.pid(), start)));
            Listeners.amongListening(port, workers);
        }

        void run(long chaosStart) throws InterruptedException {
            long ticks = chaos.toNanos() / killEvery.toNanos();
            for (long tick = 1; tick <= ticks; tick++) {
                long at = chaosStart + tick * killEvery.toNanos();
                TimeUnit.NANOSECONDS.sleep(Math.max(0, at - System.nanoTime()));
                if (!killOne()) {
                    waited++;
                    boolean killedOne = false;
                    while (!killedOne && System.nanoTime() < at + killEvery.toNanos()) {
                        Thread.sleep(5);
                        killedOne = killOne();
                    }
                    if (!killedOne) {
                        missed++;
                    }
                }
            }
        }

        private boolean killOne() {
            List<ProcessHandle> live = new ArrayList<>();
            for (ProcessHandle worker : processes.get()) {
                worker.info().startInstant().ifPresent(start -> started.putIfAbsent(worker.pid(), start));
                if (!killed.contains(worker) && worker.isAlive()) {
                    live.add(worker);
                }
            }
            List<ProcessHandle> serving = new ArrayList<>(Listeners.amongListening(port, live));
            if (serving.isEmpty()) {
                return false;
            }
            ProcessHandle victim = serving.get(ThreadLocalRandom.current().nextInt(serving.size()));
            if (!victim.destroyForcibly()) {
                return false;
            }
            killed.add(victim);
            kills++;
            return true;
        }
    }

    /**
     * How many sockets listen on the shared port, looked at every 20 ms (the kernel's tables, not
     * the supervisor's word): the share of the chaos during which the port was dark, and during
     * which all the workers served.
     */
    private static final class ListenerCount extends Thread {
        private final int port;
        private final int workers;
        volatile long samples;
        volatile long dark;
        volatile long full;

        ListenerCount(int port, int workers) {
            super("chaos-port-watch");
            this.port = port;
            this.workers = workers;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!isInterrupted()) {
                int listening = Listeners.socketsOn(port).size();
                samples++;
                if (listening == 0) {
                    dark++;
                } else if (listening >= workers) {
                    full++;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        double darkPercent() {
            return samples == 0 ? 0 : 100.0 * dark / samples;
        }

        double fullPercent() {
            return samples == 0 ? 0 : 100.0 * full / samples;
        }
    }

    /**
     * How late this JVM's own threads get to run, as jHiccup measures it: time the machine gave to
     * other processes (the restarting workers, other builds on a shared host), during which neither
     * the clients nor the workers' answers can move. For the log; nothing is asserted on it.
     */
    static final class Hiccups extends Thread {
        private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
        /** Start (System.nanoTime) and length of each delay over 100 ms. */
        final List<long[]> delays = new CopyOnWriteArrayList<>();
        volatile long worstNanos;

        Hiccups() {
            super("chaos-hiccups");
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!isInterrupted()) {
                long before = System.nanoTime();
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
                long late = System.nanoTime() - before - TICK_NANOS;
                worstNanos = Math.max(worstNanos, late);
                if (late > TimeUnit.MILLISECONDS.toNanos(100)) {
                    delays.add(new long[] {before, late});
                }
            }
        }

        /** The longest delay over 100 ms of this JVM that overlaps the time from begin to end, in milliseconds; 0 for none. */
        long worstMillisWithin(long begin, long end) {
            return delays.stream().filter(d -> d[0] < end && d[0] + d[1] + TICK_NANOS > begin)
                    .mapToLong(d -> d[1] / 1_000_000).max().orElse(0);
        }
    }

    /** When the clients start and stop. */
    private static final class Signals {
        final CountDownLatch warmedUp;
        final CountDownLatch go = new CountDownLatch(1);
        final AtomicBoolean stop = new AtomicBoolean();

        Signals(int clients) {
            this.warmedUp = new CountDownLatch(clients);
        }
    }

    /** One client: POST /increment on a new connection, again and again, until told to stop. */
    private static final class Client extends Thread {
        private final int port;
        private final Signals signals;
        long sent;
        long refused;
        long broken;
        long timedOut;
        final Map<Integer, Long> otherStatus = new HashMap<>();
        /** Per acknowledged request: when it began (System.nanoTime), how long it took, the count and the pid answered. */
        long[] begins = new long[1024];
        long[] latencies = new long[1024];
        long[] counts = new long[1024];
        long[] pids = new long[1024];
        long[] connects = new long[1024];
        int acked;
        /** How long the last connect took: a SYN the kernel dropped is sent again only after 1 s. */
        private long connected;
        /** Connects that took 900 ms or more, whatever came of them. */
        long slowConnects;

        Client(int port, Signals signals, String name) {
            super(name);
            this.port = port;
            this.signals = signals;
            setDaemon(true);
        }

        @Override
        public void run() {
            // The instrument first: this JVM's own client code (sockets, RawHttp, Jackson) runs on a few
            // reads, which change nothing, so that what is measured below is not this JVM's class loading.
            for (int i = 0; i < CLIENT_WARM_UP_READS; i++) {
                try {
                    exchange(REPORT).json();
                } catch (IOException | AssertionError ignored) {
                    // measured nothing; the requests below count
                }
            }
            slowConnects = 0;
            signals.warmedUp.countDown();
            try {
                signals.go.await();
            } catch (InterruptedException e) {
                return;
            }
            while (!signals.stop.get()) {
                sent++; // before connecting, so that every request a worker may have applied is counted
                long begin = System.nanoTime();
                RawHttp.Response response;
                try {
                    response = exchange(INCREMENT);
                } catch (ConnectException e) {
                    refused++;
                    pause();
                    continue;
                } catch (IOException e) {
                    broken++;
                    pause();
                    continue;
                } catch (AssertionError e) {
                    timedOut++; // RawHttp.read's: no answer within its read timeout
                    pause();
                    continue;
                }
                long took = System.nanoTime() - begin;
                if (response.status() == -1) {
                    broken++; // reset before any answer: the worker was killed
                    pause();
                } else if (response.status() / 100 == 2) {
                    JsonNode answer = answerOrNull(response);
                    if (answer == null || !answer.path("count").canConvertToLong()) {
                        broken++; // a head and a body cut short: the process was killed while answering
                        pause();
                    } else {
                        record(begin, took, answer.get("count").asLong(), answer.path("current_process_id").asLong());
                    }
                } else {
                    otherStatus.merge(response.status(), 1L, Long::sum);
                    pause();
                }
            }
        }

        private static JsonNode answerOrNull(RawHttp.Response response) {
            try {
                return response.json();
            } catch (RuntimeException | AssertionError cutShort) {
                return null;
            }
        }

        private RawHttp.Response exchange(byte[] request) throws IOException {
            long begin = System.nanoTime();
            Socket opened;
            try {
                opened = RawHttp.open(port);
            } finally {
                connected = System.nanoTime() - begin;
                if (connected >= SLOW_CONNECT_NANOS) {
                    slowConnects++;
                }
            }
            try (Socket socket = opened) {
                socket.getOutputStream().write(request);
                // Buffered: RawHttp reads the head a byte at a time, a system call each on a bare socket stream.
                return RawHttp.read(new BufferedInputStream(socket.getInputStream()));
            }
        }

        private void record(long begin, long took, long count, long pid) {
            if (acked == latencies.length) {
                begins = Arrays.copyOf(begins, acked * 2);
                latencies = Arrays.copyOf(latencies, acked * 2);
                counts = Arrays.copyOf(counts, acked * 2);
                pids = Arrays.copyOf(pids, acked * 2);
                connects = Arrays.copyOf(connects, acked * 2);
            }
            begins[acked] = begin;
            latencies[acked] = took;
            counts[acked] = count;
            pids[acked] = pid;
            connects[acked] = connected;
            acked++;
        }

        private static void pause() {
            try {
                Thread.sleep(PAUSE_AFTER_FAILURE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** All clients' figures together. */
    static final class Tally {
        long sent;
        long acked;
        long refused;
        long broken;
        long timedOut;
        long slowConnects;
        long worstNanos;
        long highestCount;
        final Map<Integer, Long> otherStatus = new HashMap<>();
        final List<Client> clients;
        long[] sortedLatencies;

        private Tally(List<Client> clients) {
            this.clients = clients;
        }

        static Tally of(List<Client> clients) {
            Tally tally = new Tally(clients);
            List<Long> latencies = new ArrayList<>();
            for (Client client : clients) {
                tally.sent += client.sent;
                tally.acked += client.acked;
                tally.refused += client.refused;
                tally.broken += client.broken;
                tally.timedOut += client.timedOut;
                tally.slowConnects += client.slowConnects;
                client.otherStatus.forEach((status, n) -> tally.otherStatus.merge(status, n, Long::sum));
                for (int i = 0; i < client.acked; i++) {
                    latencies.add(client.latencies[i]);
                    tally.highestCount = Math.max(tally.highestCount, client.counts[i]);
                }
            }
            tally.sortedLatencies = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            tally.worstNanos = tally.sortedLatencies.length == 0 ? 0 : tally.sortedLatencies[tally.sortedLatencies.length - 1];
            return tally;
        }

        double worstMillis() {
            return worstNanos / 1e6;
        }

        double percentileMillis(int percentile) {
            if (sortedLatencies.length == 0) {
                return 0;
            }
            int index = (int) Math.ceil(percentile / 100.0 * sortedLatencies.length) - 1;
            return sortedLatencies[Math.max(0, index)] / 1e6;
        }

        /** Counts that more than one acknowledged increment answered: each increment must get its own. */
        List<Long> duplicateCounts() {
            long[] all = clients.stream().flatMapToLong(c -> Arrays.stream(c.counts, 0, c.acked)).sorted().toArray();
            List<Long> duplicates = new ArrayList<>();
            for (int i = 1; i < all.length && duplicates.size() < 10; i++) {
                if (all[i] == all[i - 1]) {
                    duplicates.add(all[i]);
                }
            }
            return duplicates;
        }

        /** Requests acknowledged in each second of the chaos, by when their answer came. */
        long[] ackedPerSecond(long chaosStart, long chaosEnd) {
            long[] perSecond = new long[(int) ((chaosEnd - chaosStart + 999_999_999) / 1_000_000_000)];
            for (long done : answeredAt()) {
                if (done >= chaosStart && done < chaosEnd) {
                    perSecond[(int) ((done - chaosStart) / 1_000_000_000)]++;
                }
            }
            return perSecond;
        }

        /** The longest stretch of the chaos in which no answer to an acknowledged request came, in nanoseconds. */
        long longestWithoutAck(long chaosStart, long chaosEnd) {
            long longest = 0;
            long previous = chaosStart;
            for (long done : answeredAt()) {
                if (done > previous && done < chaosEnd) {
                    longest = Math.max(longest, done - previous);
                    previous = done;
                }
            }
            return Math.max(longest, chaosEnd - previous);
        }

        private long[] answeredAt() {
            return clients.stream().flatMapToLong(c -> IntStream.range(0, c.acked)
                    .mapToLong(i -> c.begins[i] + c.latencies[i])).sorted().toArray();
        }

        /** The n slowest acknowledged requests: when they began, how long they took, which worker answered and its age. */
        List<String> slowest(int n, long chaosStart, Map<Long, Instant> workerStarts, Hiccups hiccups) {
            record Ack(long begin, long took, long connect, long pid) {
            }
            List<Ack> acks = new ArrayList<>();
            for (Client client : clients) {
                for (int i = 0; i < client.acked; i++) {
                    acks.add(new Ack(client.begins[i], client.latencies[i], client.connects[i], client.pids[i]));
                }
            }
            acks.sort((a, b) -> Long.compare(b.took, a.took));
            long nanoToEpoch = System.currentTimeMillis() * 1_000_000 - System.nanoTime();
            List<String> lines = new ArrayList<>();
            for (Ack ack : acks.subList(0, Math.min(n, acks.size()))) {
                Instant workerStart = workerStarts.get(ack.pid);
                String age = workerStart == null ? "?" : Long.toString(
                        (ack.begin + nanoToEpoch) / 1_000_000 - workerStart.toEpochMilli());
                lines.add(String.format("%.1f ms (connect %.1f ms) at +%d ms by pid %d (started %s ms before;"
                                + " this JVM stalled %d ms meanwhile)",
                        ack.took / 1e6, ack.connect / 1e6, (ack.begin - chaosStart) / 1_000_000, ack.pid, age,
                        hiccups.worstMillisWithin(ack.begin, ack.begin + ack.took)));
            }
            return lines;
        }
    }
}
