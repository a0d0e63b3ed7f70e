package io.hearth.http;

import io.hearth.SharedStore;
import io.hearth.StoreUnavailableException;
import io.hearth.Subscription;
import io.hearth.http.internal.ReusePortSelectorProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One worker process: opens the store, serves {@link HearthServer} on the shared port, and stops
 * gracefully on SIGTERM or SIGINT (requests in flight finish). {@link Supervisor} starts these with
 * the JVM options Hearth needs ({@code --add-exports}/{@code --add-opens}, the jar manifest's
 * lists) and {@code -Djava.nio.channels.spi.SelectorProvider=}{@link ReusePortSelectorProvider},
 * without which a worker still serves, but alone on its port.
 *
 * <p>Options: {@code --store PATH} or {@code --store redis://host:port/db?...} (required),
 * {@code --host ADDRESS} (default 127.0.0.1), {@code --port N} (default 8080),
 * {@code --supervisor-pid PID} (stop when that process ends), {@code --standby} (warm up, then wait
 * for {@value #SERVE} on stdin before binding the port).
 * Environment: {@code HEARTH_TOKEN} (bearer token for routes that change data),
 * {@code HEARTH_PROTECT_READS} ({@code 1}: reads need the token too, all but /livez and /health),
 * {@code HEARTH_LOG_TOPICS} (comma-separated broadcast topics this worker logs; default {@code reload}).
 *
 * <p>Exit status {@value #BOOT_FAILURE} means it could not start (store, port, options), which the
 * supervisor does not retry; {@value #UNAVAILABLE} that its store server (Redis) did not answer,
 * which it does retry. A line {@code HEARTH-WORKER-READY <pid> <port>} on stdout means it serves;
 * a standby first prints {@code HEARTH-WORKER-STANDBY <pid>} once it has opened the store and warmed
 * up, holding no socket on the port until the supervisor writes {@value #SERVE} to its stdin.
 */
public final class Worker {
    /** Exit status of a worker that could not start; retrying would not help. */
    public static final int BOOT_FAILURE = 3;
    /** Exit status of a worker whose store server did not answer; the supervisor starts another later. */
    static final int UNAVAILABLE = 1;
    static final String READY = "HEARTH-WORKER-READY";
    /** The line a standby prints once it is warm: {@code HEARTH-WORKER-STANDBY <pid>}. */
    static final String STANDBY = "HEARTH-WORKER-STANDBY";
    /** The order on a standby's stdin that makes it bind the shared port. */
    static final String SERVE = "serve";

    private Worker() {
    }

    /** Runs one worker until SIGTERM, SIGINT or the end of its supervisor; see the class comment for the options. */
    public static void main(String[] args) {
        ProcessLog log = new ProcessLog("worker");
        log.formatJavaLogging();
        Arguments arguments;
        try {
            arguments = Arguments.parse(args);
        } catch (RuntimeException e) {
            log.error(e.getMessage());
            System.exit(BOOT_FAILURE);
            return;
        }
        SharedStore store;
        HearthServer server;
        List<Subscription> subscriptions = new ArrayList<>();
        try {
            store = arguments.store.open();
        } catch (StoreUnavailableException e) {
            // Redis down now may be up in a moment: a plain failure, which the supervisor retries with back-off.
            log.error("cannot reach store " + arguments.store + ": " + e.getMessage());
            System.exit(UNAVAILABLE);
            return;
        } catch (RuntimeException e) {
            log.error("cannot open store " + arguments.store + ": " + e.getMessage());
            System.exit(BOOT_FAILURE);
            return;
        }
        try {
            for (String topic : arguments.logTopics) {
                subscriptions.add(store.subscribe(topic, message -> log.info("broadcast '" + message.topic() + "' #"
                        + message.sequence() + " from pid " + message.senderPid() + ": " + message.payload())));
            }
            HearthServer.Builder builder = HearthServer.builder(store).host(arguments.host).port(arguments.port).token(arguments.token);
            if (arguments.protectReads) {
                builder.protectReads();
            }
            server = builder.startWarm();
        } catch (RuntimeException e) {
            log.error("cannot serve on " + arguments.host + ":" + arguments.port + ": " + rootMessage(e));
            store.close();
            System.exit(BOOT_FAILURE);
            return;
        }
        Runnable stop = once(() -> {
            log.info("stopping: finishing requests in flight");
            server.close();
            subscriptions.forEach(Subscription::close);
            store.close();
            log.info("stopped");
        });
        // Stop on a plain thread, before the JVM's shutdown hooks run: Chronicle closes its maps in a
        // hook of its own, which would fail the requests still in flight. The hook below is the fallback.
        Signals.onTerminate(() -> new Thread(() -> {
            stop.run();
            System.exit(0);
        }, "hearth-worker-stop").start());
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "hearth-worker-stop-hook"));
        if (arguments.supervisorPid > 0) {
            // An orphaned worker would hold the port and the store for ever.
            Runnable orphaned = () -> {
                log.warn("supervisor " + arguments.supervisorPid + " is gone; stopping");
                stop.run();
                System.exit(0);
            };
            ProcessHandle.of(arguments.supervisorPid).ifPresentOrElse(
                    supervisor -> supervisor.onExit().thenRun(orphaned), orphaned);
        }
        if (arguments.standby) {
            // Before it says it is warm, within its start turn: the JIT compiles what a request runs,
            // so it serves at full rate once told, and the next JVM's start does not overlap this one.
            long warmUpStart = System.nanoTime();
            int warmUpAnswers = server.warmUpForStandby();
            log.info("standby for http://" + arguments.host + ":" + arguments.port + " on store " + store.location()
                    + ": warmed up (" + warmUpAnswers + " of " + WarmUp.STANDBY_ROUNDS * WarmUp.REQUESTS_PER_ROUND
                    + " further requests in " + (System.nanoTime() - warmUpStart) / 1_000_000 + " ms), not listening; '"
                    + SERVE + "' on stdin makes it serve");
            System.out.println(STANDBY + " " + ProcessHandle.current().pid());
            System.out.flush();
            Thread orders = new Thread(() -> takeOrders(server, arguments, log, stop), "hearth-worker-orders");
            orders.setDaemon(true);
            orders.start();
        } else if (!serve(server, arguments, log, stop)) {
            return;
        }
        try {
            server.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A standby's stdin, read line by line: {@value #SERVE} binds the shared port, the first time
     * only (a second one is refused in the log: a worker never binds twice); the end of stdin means
     * the supervisor is gone, so the standby stops.
     */
    private static void takeOrders(HearthServer server, Arguments arguments, ProcessLog log, Runnable stop) {
        boolean serving = false;
        try (BufferedReader orders = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = orders.readLine()) != null; ) {
                if (!line.trim().equals(SERVE)) {
                    log.warn("unknown order '" + Requests.printable(line) + "' on stdin; ignored");
                } else if (serving) {
                    log.warn("told to serve again; it serves already, on " + server.address() + ": ignored");
                } else {
                    serving = true;
                    if (!serve(server, arguments, log, stop)) {
                        return;
                    }
                }
            }
        } catch (IOException e) {
            log.warn("cannot read orders on stdin (" + e.getMessage() + ")");
        }
        if (!serving) {
            log.warn("stdin closed before an order to serve: the supervisor is gone; stopping");
            stop.run();
            System.exit(0);
        }
    }

    /** Binds the shared port and prints the ready line; false (and the process exits) when the port cannot be bound. */
    private static boolean serve(HearthServer server, Arguments arguments, ProcessLog log, Runnable stop) {
        try {
            server.listen();
        } catch (RuntimeException e) {
            log.error("cannot serve on " + arguments.host + ":" + arguments.port + ": " + rootMessage(e));
            stop.run();
            System.exit(BOOT_FAILURE);
            return false;
        }
        System.out.println(READY + " " + ProcessHandle.current().pid() + " " + server.port());
        System.out.flush();
        log.info("serving store " + arguments.store + " on http://" + server.address().getHostString() + ":" + server.port()
                + (ReusePortSelectorProvider.installed() ? " (port shared with SO_REUSEPORT)" : "")
                + (arguments.token == null ? "" : arguments.protectReads ? ", token required for changes and reads"
                        : ", token required for changes (reads open)"));
        return true;
    }

    /** Runs action the first time only; later callers wait until it has finished. */
    private static Runnable once(Runnable action) {
        AtomicBoolean started = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        return () -> {
            if (started.compareAndSet(false, true)) {
                try {
                    action.run();
                } finally {
                    done.countDown();
                }
            } else {
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }

    /** The worker's command line and environment, checked. */
    record Arguments(StoreAddress store, String host, int port, long supervisorPid, boolean standby, String token,
                     boolean protectReads, List<String> logTopics) {
        static Arguments parse(String[] args) {
            StoreAddress store = null;
            String host = "127.0.0.1";
            int port = 8080;
            long supervisorPid = 0;
            boolean standby = false;
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (option.equals("--standby")) {
                    standby = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + option + " needs a value");
                }
                String value = args[++i];
                switch (option) {
                    case "--store" -> store = StoreAddress.parse(value);
                    case "--host" -> host = value;
                    case "--port" -> port = CommandLine.port(value);
                    case "--supervisor-pid" -> supervisorPid = CommandLine.number(option, value, 1, Long.MAX_VALUE);
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            if (store == null) {
                throw new IllegalArgumentException("--store PATH or --store redis://... is required");
            }
            String token = CommandLine.token(System.getenv("HEARTH_TOKEN"));
            boolean protectReads = CommandLine.protectReads(System.getenv("HEARTH_PROTECT_READS"), token);
            List<String> topics = new ArrayList<>();
            String topicList = System.getenv().getOrDefault("HEARTH_LOG_TOPICS", "reload");
            for (String topic : topicList.split(",")) {
                if (!topic.isBlank()) {
                    topics.add(Requests.checkName(topic.trim(), "topic in HEARTH_LOG_TOPICS"));
                }
            }
            return new Arguments(store, host, port, supervisorPid, standby, token, protectReads, List.copyOf(topics));
        }
    }
}
