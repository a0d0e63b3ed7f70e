package io.hearth.http;

import io.hearth.http.internal.ReusePortSelectorProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs N {@link Worker} processes that share one store and one port, as gunicorn's arbiter does:
 * it starts them, starts another when one dies (quickly after a worker that served or was killed,
 * longer after each death of one that never served, so a crash loop does not spin; see
 * {@link RestartPolicy}), and on {@link #close()} (which {@link SupervisorCommand} calls on
 * SIGTERM or Ctrl-C) sends each worker SIGTERM so that requests in flight finish, then waits for
 * them. Each of the N positions is a {@link WorkerSlot} with a thread of its own.
 *
 * <p>Workers are {@code java} processes on this JVM's class path with the JVM options Hearth needs
 * and {@link ReusePortSelectorProvider}, which lets them all bind the same port. A worker that
 * exits with {@link Worker#BOOT_FAILURE} (bad store, port taken) while no worker serves stops the
 * supervisor, which ends with that status; so it does when spawning a worker process fails
 * {@link RestartPolicy#SPAWN_ATTEMPTS} times in a row. While other workers serve, such a slot is
 * tried again after a growing wait (the store file may be restored): a replacement that cannot
 * open the store never takes the healthy workers down with it.
 *
 * <p>{@code ./run-workers.sh} runs {@link SupervisorCommand}; tests and embedders use
 * {@link #builder(Path)} or, for a store on Redis, {@link #builder(URI)}.
 */
public final class Supervisor implements AutoCloseable {
    private final Builder settings;
    private final ProcessLog log = new ProcessLog("supervisor");
    private final List<WorkerSlot> slots = new ArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile int exitStatus;

    private Supervisor(Builder settings) {
        this.settings = settings;
        WorkerCommand command = new WorkerCommand(settings.store, settings.host, settings.port, settings.workerJvmOptions);
        for (int i = 0; i < settings.workers; i++) {
            slots.add(new WorkerSlot(i, command, settings.environment, settings.spawner, this));
        }
        log.info("starting " + settings.workers + " workers on http://" + settings.host + ":" + settings.port
                + " sharing store " + settings.store);
        slots.forEach(WorkerSlot::start);
    }

    /** A supervisor for workers sharing the store file at store. */
    public static Builder builder(Path store) {
        return new Builder(StoreAddress.file(store));
    }

    /** A supervisor for workers sharing the store at a {@code redis://host:port/db} URI, possibly on several hosts. */
    public static Builder builder(URI store) {
        return new Builder(StoreAddress.redis(store));
    }

    /** A supervisor for workers sharing the store the command line named. */
    static Builder builder(StoreAddress store) {
        return new Builder(store);
    }

    /** Waits until every worker serves; false when the time ran out or the supervisor stopped first. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!stopping && workerPids().size() < slots.size()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return !stopping;
        }
    }

    /** Pids of the workers serving now. */
    public synchronized List<Long> workerPids() {
        List<Long> pids = new ArrayList<>();
        for (WorkerSlot slot : slots) {
            long pid = slot.readyPid(); // once: the slot's thread may change it meanwhile
            if (pid != 0) {
                pids.add(pid);
            }
        }
        return pids;
    }

    /** Blocks until the supervisor has stopped; returns its exit status (0, or a worker's boot failure). */
    public int awaitTermination() throws InterruptedException {
        terminated.await();
        return exitStatus;
    }

    /**
     * Sends every worker SIGTERM, waits up to the stop timeout for them to finish their requests
     * and exit, then kills any still running. Safe to call twice, from any thread.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            try {
                terminated.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        stopping = true;
        stopSignal.countDown();
        synchronized (this) {
            notifyAll();
        }
        log.info("stopping " + slots.size() + " workers gracefully");
        for (WorkerSlot slot : slots) {
            Process process = slot.process();
            if (process != null) {
                process.destroy(); // SIGTERM: the worker finishes its requests in flight, then exits
            }
        }
        long deadline = System.nanoTime() + settings.stopTimeout.toNanos();
        for (WorkerSlot slot : slots) {
            Process process = slot.process();
            if (process == null) {
                continue;
            }
            try {
                if (!process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    log.warn("worker " + process.pid() + " still running after " + settings.stopTimeout + "; killing it");
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        for (WorkerSlot slot : slots) {
            try {
                slot.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        log.info("all workers stopped");
        terminated.countDown();
    }

    /** True once {@link #close()} has begun, by a signal, a caller or a worker that could not start. */
    boolean stopping() {
        return stopping;
    }

    /** Waits up to timeout for {@link #close()} to begin; true when it has. */
    boolean awaitStopSignal(Duration timeout) throws InterruptedException {
        return stopSignal.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** A slot's {@link WorkerSlot#readyPid()} changed: wakes {@link #awaitReady(Duration)}. */
    synchronized void readinessChanged() {
        notifyAll();
    }

    /** Stops every worker, on another thread, and ends with status: a worker could not start. */
    void fail(int status) {
        exitStatus = status;
        Thread stopper = new Thread(this::close, "hearth-supervisor-stop");
        stopper.start();
    }

    /** Starts a worker process: {@link ProcessBuilder#start()}, unless a test says otherwise. */
    @FunctionalInterface
    interface Spawner {
        Process start(ProcessBuilder builder) throws IOException;
    }

    /** Settings of a {@link Supervisor}; {@link #start()} starts the workers. */
    public static final class Builder {
        private final StoreAddress store;
        private int workers = Runtime.getRuntime().availableProcessors();
        private String host = "127.0.0.1";
        private int port = 8080;
        private Duration stopTimeout = Duration.ofSeconds(40);
        private List<String> workerJvmOptions = List.of();
        private Map<String, String> environment = Map.of();
        private Spawner spawner = ProcessBuilder::start;

        private Builder(StoreAddress store) {
            this.store = store;
        }

        /** Number of worker processes; default the number of cores. */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, was " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** Address the workers bind; default 127.0.0.1. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Port every worker serves; default 8080. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** How long {@link #close()} lets workers finish before killing them; default 40 s. */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Extra JVM options for each worker, such as {@code -Xmx256m}. */
        public Builder workerJvmOptions(List<String> options) {
            this.workerJvmOptions = List.copyOf(options);
            return this;
        }

        /** Environment variables set for each worker on top of this process's, such as {@code HEARTH_TOKEN}. */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
            return this;
        }

        /** How worker processes are started; tests replace it to make spawning fail. */
        Builder spawner(Spawner spawner) {
            this.spawner = Objects.requireNonNull(spawner, "spawner");
            return this;
        }

        /** Starts the workers; see {@link Supervisor#awaitReady(Duration)}. */
        public Supervisor start() {
            return new Supervisor(this);
        }
    }
}
