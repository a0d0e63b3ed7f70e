package io.hearth.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.SharedStore;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.ConnectorStatistics;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * Hearth's HTTP API on Undertow, serving one {@link SharedStore}: the routes of the README
 * (counters, versioned JSON objects, workers, broadcasts, health, metrics), described at
 * {@code /openapi.json} and {@code /docs}. Start several
 * processes with it on one store, and they answer alike.
 *
 * <pre>{@code
 * try (SharedStore store = SharedStore.open(Path.of("data/hearth.store"));
 *      HearthServer server = HearthServer.builder(store).port(8080).start()) {
 *     server.awaitStop();
 * }
 * }</pre>
 *
 * <p>Store calls run on Undertow's worker threads, not its IO threads; only an operation on a
 * counter this process has used before in a file store, one atomic instruction, runs in place.
 * A store that cannot be reached (Redis down), or a map lock held by a stopped process, answers
 * 503 with {@code Retry-After: 1}. It binds its port only after answering a few requests on a
 * private loopback port ({@link WarmUp}), so that its first clients do not wait on a cold JVM.
 * Request bodies are read without blocking and refused past {@link Builder#maxBodyBytes(int)}.
 * {@link #close()} frees the port at once and lets the requests in flight finish (up to the
 * shutdown timeout); it is safe to call twice and does not close the store, which belongs to the caller.
 */
public final class HearthServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HearthServer.class.getName());

    private final Undertow undertow;
    private final XnioWorker worker;
    private final HttpHandler warmUpHandler;
    private final GracefulShutdownHandler shutdown;
    private final Duration shutdownTimeout;
    /** How long close() lets clients with open connections send their next request before answering 503. */
    static final Duration DRAIN_LIMIT = Duration.ofSeconds(5);
    private static final Duration DRAIN_POLL = Duration.ofMillis(10);
    private static final Duration DRAIN_SETTLE = Duration.ofMillis(100);
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Guards binding and unbinding the port, so that a close() during a listen() leaves nothing bound. */
    private final Object lifecycle = new Object();
    private volatile boolean listening; // written holding lifecycle; read by the standby warm-up without it
    private volatile InetSocketAddress address;
    /** The listener's connection counts, once it listens: the drain waits for its open connections to go. */
    private volatile ConnectorStatistics connections;
    /** Its long polls are answered at once when it stops. */
    private final ObjectEndpoints objects;
    /** The methods each route template answers: what /openapi.json must describe. */
    private final Map<String, Set<String>> routeTable;
    /** Set by close(): every answer from then on closes its connection. */
    private volatile boolean draining;
    private final Object stopped = new Object();
    private boolean hasStopped; // guarded by stopped

    private HearthServer(Builder builder) {
        // Bodies are read by Requests.json with JsonTrees (exact numbers, one value only) on this mapper's parsers.
        ObjectMapper mapper = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        RequestMetrics metrics = new RequestMetrics(builder.store);
        CounterEndpoints counters = new CounterEndpoints(builder.store, mapper);
        ObjectEndpoints objects = new ObjectEndpoints(builder.store, mapper);
        ApiDocs docs = new ApiDocs();
        this.objects = objects;
        ClusterEndpoints cluster = new ClusterEndpoints(builder.store, mapper, metrics, builder.broadcastWait, builder.maxBroadcastWait);
        Routes table = new Routes(builder.token, builder.protectReads ? builder.token : null, builder.maxBodyBytes)
                .change(Methods.POST, "/increment", counters.seedCannotBlock(), counters.increment())
                .get("/report", counters.seedCannotBlock(), counters.report())
                .change(Methods.POST, "/reset", counters.seedCannotBlock(), counters.reset())
                .get("/counters/{name}", counters.cannotBlock(), counters.get())
                .changeWithBody(Methods.PUT, "/counters/{name}", counters.set())
                .change(Methods.DELETE, "/counters/{name}", counters.delete()) // takes the naming lock: off the I/O thread
                .change(Methods.POST, "/counters/{name}/increment", counters.addCannotBlock(), counters.add())
                .get("/objects/{map}", objects.list())
                .get("/objects/{map}/{key}", objects.cachedGetCannotBlock(), objects.get()) // a proven cache hit: on the IO thread
                .changeWithBody(Methods.PUT, "/objects/{map}/{key}", objects.put())
                .changeWithBody(Methods.PATCH, "/objects/{map}/{key}", objects.patch())
                .change(Methods.DELETE, "/objects/{map}/{key}", objects.delete())
                .get("/workers", cluster.workers())
                .changeWithBody(Methods.POST, "/broadcast/{topic}", cluster.broadcast())
                .probe("/livez", exchange -> true, cluster.live()) // touches no store: always on the IO thread
                .probe("/health", Dispatch.MAY_BLOCK, cluster.health())
                .get("/stats", cluster.stats())
                .get("/metrics", cluster.metrics())
                .description("/openapi.json", docs.document())
                .description("/docs", docs.page())
                .description("/docs/{asset}", docs.asset());
        this.routeTable = table.methodsByTemplate();
        HttpHandler routes = table.handler();
        // A body over the limit is answered 413 by ReadBody; Undertow then discards the rest of it to keep
        // the connection (so the client reads the 413 instead of a reset), but only up to this much.
        long discardable = 4L * builder.maxBodyBytes;
        HttpHandler limited = exchange -> {
            exchange.setMaxEntitySize(discardable);
            routes.handleRequest(exchange);
        };
        this.shutdown = new GracefulShutdownHandler(metrics.around(limited));
        // GracefulShutdownHandler refuses requests during shutdown with a bare 503; give it the JSON body.
        HttpHandler root = exchange -> {
            if (draining) {
                exchange.setPersistent(false); // answered as usual, with Connection: close; the client reconnects elsewhere
            }
            exchange.addDefaultResponseListener(refused -> {
                if (refused.getStatusCode() != 503 || refused.isResponseStarted()) {
                    return false;
                }
                Errors.send(refused, new HttpError(503, "unavailable", "this worker is shutting down; retry"));
                return true;
            });
            shutdown.handleRequest(exchange);
        };
        this.shutdownTimeout = builder.shutdownTimeout;
        int ioThreads = builder.ioThreads > 0 ? builder.ioThreads : Math.max(Runtime.getRuntime().availableProcessors(), 2);
        int workerThreads = builder.workerThreads > 0 ? builder.workerThreads : ioThreads * 8;
        // Our own XNIO worker, not Undertow's: Undertow.stop() then closes only the listening socket, so
        // close() can stop taking connections (the kernel hands them to the other workers on the port)
        // while the requests in flight finish on this worker's threads.
        try {
            this.worker = Xnio.getInstance(Undertow.class.getClassLoader()).createWorker(OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, ioThreads)
                    .set(Options.CONNECTION_HIGH_WATER, 1_000_000)
                    .set(Options.CONNECTION_LOW_WATER, 1_000_000)
                    .set(Options.WORKER_TASK_CORE_THREADS, workerThreads)
                    .set(Options.WORKER_TASK_MAX_THREADS, workerThreads)
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.CORK, true)
                    .getMap());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Undertow's IO threads", e);
        }
        WarmUp.run(worker, limited); // before the port is bound: see WarmUp
        this.warmUpHandler = limited;
        this.undertow = Undertow.builder()
                .setWorker(worker)
                .addHttpListener(builder.port, builder.host)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 64 * 1024)
                .setServerOption(UndertowOptions.MAX_PARAMETERS, 100)
                .setServerOption(UndertowOptions.MAX_HEADERS, 100)
                // Requests decodes paths and queries itself, so %2F in a key is a slash in the key (PercentDecoding).
                .setServerOption(UndertowOptions.DECODE_URL, false)
                // For the open-connection count that close() waits on while it drains.
                .setServerOption(UndertowOptions.ENABLE_STATISTICS, true)
                // Slow or idle clients are cut off instead of holding a connection for ever.
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, 10_000)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000)
                .setSocketOption(Options.READ_TIMEOUT, 30_000)
                .setSocketOption(Options.WRITE_TIMEOUT, 30_000)
                .setHandler(root)
                .build();
    }

    /**
     * Warms a standby up further ({@link WarmUp#STANDBY_ROUNDS}) on its private port, on the
     * caller's thread, before it says it is warm; stops between requests if the server is closed
     * (or listens) meanwhile, or once {@link WarmUp#STANDBY_BUDGET} has passed. Returns the
     * requests answered.
     */
    int warmUpForStandby() {
        return WarmUp.run(worker, warmUpHandler, WarmUp.STANDBY_ROUNDS, () -> listening || closed.get());
    }

    /**
     * Binds the port and starts taking connections: once, and only once. A worker kept as a warm
     * standby ({@link Builder#startWarm()}) calls it when it is told to serve.
     *
     * @throws IllegalStateException when it listens already, or has been closed
     * @throws RuntimeException from Undertow when the address cannot be bound; the server is then closed
     */
    void listen() {
        synchronized (lifecycle) {
            if (closed.get()) {
                throw new IllegalStateException("this server is closed");
            }
            if (listening) {
                throw new IllegalStateException("this server listens already, on " + address);
            }
            listening = true;
            try {
                undertow.start();
            } catch (RuntimeException e) {
                closed.set(true);
                worker.shutdownNow();
                markStopped();
                throw e;
            }
            Undertow.ListenerInfo listener = undertow.getListenerInfo().get(0);
            this.connections = listener.getConnectorStatistics();
            this.address = (InetSocketAddress) listener.getAddress();
        }
    }

    /** A builder for a server on store; it binds 127.0.0.1:8080 unless told otherwise. */
    public static Builder builder(SharedStore store) {
        return new Builder(store);
    }

    /** The port it listens on (the one the OS chose, when built with port 0). */
    public int port() {
        return address().getPort();
    }

    /** The address it listens on. */
    public InetSocketAddress address() {
        InetSocketAddress bound = address;
        if (bound == null) {
            throw new IllegalStateException("this server does not listen (yet)");
        }
        return bound;
    }

    /** The route table: each template and the methods it answers (HEAD beside every GET). */
    Map<String, Set<String>> routeTable() {
        return routeTable;
    }

    /** Blocks until {@link #close()} has finished, from any thread. */
    public void awaitStop() throws InterruptedException {
        synchronized (stopped) {
            while (!hasStopped) {
                stopped.wait();
            }
        }
    }

    /**
     * Stops listening at once (with a shared port, the kernel sends new connections to the other
     * processes), then drains: requests on open connections are answered as usual but with
     * {@code Connection: close}, so that a keep-alive client's next request goes, on a new
     * connection, to another process, until no connection is left open or {@link #DRAIN_LIMIT}
     * (at most the shutdown timeout) has passed. Requests after that are answered 503; it waits up
     * to the shutdown timeout for those in flight, then stops its threads. Safe to call twice; the
     * store stays open.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            awaitQuietly();
            return;
        }
        try {
            synchronized (lifecycle) {
                if (listening) {
                    undertow.stop(); // closes the listening socket only: the worker is ours
                }
            }
            draining = true;
            objects.closeWatches();
            awaitConnectionsClosed(shutdownTimeout.compareTo(DRAIN_LIMIT) < 0 ? shutdownTimeout : DRAIN_LIMIT);
            shutdown.shutdown(); // requests on connections still open are answered 503 from now on
            if (!shutdown.awaitShutdown(shutdownTimeout.toMillis())) {
                LOG.log(System.Logger.Level.WARNING, "requests still in flight after " + shutdownTimeout + "; stopping anyway");
            }
            worker.shutdown();
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            markStopped();
        }
    }

    /**
     * Waits until the clients have closed every connection (each does after its next answer), up to
     * limit. No connection must stay so for {@link #DRAIN_SETTLE}: a connection the IO thread
     * accepted just before the listening socket closed is counted only once the IO thread gets to
     * it, and would otherwise be closed with its request unanswered.
     */
    private void awaitConnectionsClosed(Duration limit) throws InterruptedException {
        ConnectorStatistics statistics = connections;
        if (statistics == null) {
            return; // it never listened
        }
        long deadline = System.nanoTime() + limit.toNanos();
        long quietSince = System.nanoTime();
        while (System.nanoTime() - deadline < 0) {
            if (statistics.getActiveConnections() > 0) {
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= DRAIN_SETTLE.toNanos()) {
                return;
            }
            Thread.sleep(DRAIN_POLL.toMillis());
        }
        long left = statistics.getActiveConnections();
        if (left > 0) {
            LOG.log(System.Logger.Level.INFO, left + " idle connections still open after draining for " + limit
                    + "; answering 503 on them from now on");
        }
    }

    private void markStopped() {
        synchronized (stopped) {
            hasStopped = true;
            stopped.notifyAll();
        }
    }

    private void awaitQuietly() {
        try {
            awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Settings of a {@link HearthServer}; {@link #start()} binds the port. */
    public static final class Builder {
        private final SharedStore store;
        private String host = "127.0.0.1";
        private int port = 8080;
        private String token;
        private boolean protectReads;
        private int maxBodyBytes = 1 << 20;
        private Duration broadcastWait = Duration.ofSeconds(2);
        private Duration maxBroadcastWait = Duration.ofSeconds(10);
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private int ioThreads;
        private int workerThreads;

        private Builder(SharedStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** Address to bind; default {@code 127.0.0.1}, so nothing outside the host can connect. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Port to bind, 0 for any free one; default 8080. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be from 0 to 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Bearer token that routes which change data (POST, PUT, PATCH, DELETE) require, as
         * {@code Authorization: Bearer <token>} (the scheme in any case); null (the default) for none.
         * Reads stay open to anyone who can connect unless {@link #protectReads()}.
         */
        public Builder token(String token) {
            if (token != null && (token.isBlank() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
                throw new IllegalArgumentException("token must be printable ASCII without spaces, and not empty");
            }
            this.token = token;
            return this;
        }

        /**
         * Makes the reads (GET and HEAD: values, key lists, counters, workers, stats, metrics) need
         * the {@link #token(String) token} too; only {@code /livez} and {@code /health} stay open, for
         * supervisors and load balancers. {@link #start()} refuses it without a token.
         */
        public Builder protectReads() {
            this.protectReads = true;
            return this;
        }

        /** Largest request body in bytes; larger ones are answered 413. Default 1 MiB. */
        public Builder maxBodyBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxBodyBytes must be positive, was " + bytes);
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /** How long a broadcast waits for acknowledgements unless the request says ({@code timeout_ms}); default 2 s. */
        public Builder broadcastWait(Duration wait) {
            this.broadcastWait = Objects.requireNonNull(wait, "wait");
            return this;
        }

        /** How long in-flight requests may take to finish when the server closes; default 30 s. */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Undertow IO threads; default one per core. */
        public Builder ioThreads(int threads) {
            this.ioThreads = threads;
            return this;
        }

        /** Undertow worker threads, which run the store calls; default eight per IO thread. */
        public Builder workerThreads(int threads) {
            this.workerThreads = threads;
            return this;
        }

        /**
         * Binds and starts serving.
         *
         * @throws IllegalArgumentException if reads are protected without a token
         * @throws RuntimeException from Undertow when the address cannot be bound
         */
        public HearthServer start() {
            HearthServer server = startWarm();
            server.listen();
            return server;
        }

        /**
         * A server with its threads started and its handlers warmed up ({@link WarmUp}) that does
         * not listen yet: {@link HearthServer#listen()} binds the port. What a standby worker holds.
         */
        HearthServer startWarm() {
            if (protectReads && token == null) {
                throw new IllegalArgumentException("protectReads() needs a token(...): without one no read could be let through");
            }
            if (broadcastWait.compareTo(maxBroadcastWait) > 0) {
                maxBroadcastWait = broadcastWait;
            }
            return new HearthServer(this);
        }
    }
}
