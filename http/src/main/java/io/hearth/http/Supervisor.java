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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs N {@link Worker} processes that share one store and serve one port, as gunicorn's arbiter
 * does, and K more that stand by: started, store open, warmed up, but not listening. When a
 * serving worker dies, a standby is told to bind the port at once (milliseconds, where a new JVM
 * needs a second or more of CPU), and a new standby is started behind it. It starts another
 * process when one dies (quickly after a worker that was warm or was killed, longer after each
 * death of one that never got warm, so a crash loop does not spin; see {@link RestartPolicy}), and
 * on {@link #close()} (which {@link SupervisorCommand} calls on SIGTERM or Ctrl-C) sends each worker
 * SIGTERM so that requests in flight finish, then waits for them. Each of the N + K processes is
 * kept by a {@link WorkerSlot} with a thread of its own; which of them serve is the {@link Roster}'s
 * decision, which keeps N serving whenever it has a standby to tell.
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
    private static final Duration STANDBYS_WAIT = Duration.ofMinutes(1);
    /** How long a restart waits for one replacement to be warm, or to serve, before it gives up. */
    private static final Duration RESTART_STEP_WAIT = Duration.ofMinutes(2);
    private static final Duration START_TURN_WAIT = Duration.ofSeconds(20);
    private final Builder settings;
    private final ProcessLog log = new ProcessLog("supervisor");
    private final List<WorkerSlot> slots = new ArrayList<>();
    private final Roster roster;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Semaphore starts = new Semaphore(concurrentStarts(Runtime.getRuntime().availableProcessors()));
    /** {@link System#nanoTime()} when a start turn was last taken or given back: starts are moving on. */
    private final AtomicLong lastTurnMoved = new AtomicLong(System.nanoTime());
    private int restartsAsked; // guarded by this
    private int restartsDone; // guarded by this
    private Thread restarter; // guarded by this
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile int exitStatus;

    private Supervisor(Builder settings) {
        this.settings = settings;
        this.roster = new Roster(settings.workers);
        WorkerCommand command = new WorkerCommand(settings.store, settings.host, settings.port, settings.workerJvmOptions);
        for (int i = 0; i < settings.workers + settings.standbys; i++) {
            slots.add(new WorkerSlot(i, command, settings.environment, settings.spawner, this));
        }
        QueuedConnectionMigration migration = new QueuedConnectionMigration(QueuedConnectionMigration.SETTING);
        String migrationLine = settings.migrateQueuedConnections ? migration.enable() : migration.describe();
        // One start-up line: what the setting of queued connections means rides on it.
        log.info("starting " + settings.workers + " workers on http://" + settings.host + ":" + settings.port
                + " sharing store " + settings.store + ", and " + settings.standbys + " standby"
                + (settings.standbys == 1 ? "" : "s") + " once they serve" + (migrationLine == null ? "" : "; " + migrationLine));
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

    /**
     * The standbys a supervisor keeps unless told: one for every four cores, at least one. A
     * standby takes over one death in milliseconds, and its own replacement then needs a JVM start
     * (1.2 to 3.8 s of CPU, and under load several times that in wall time; http/README.md); so K
     * standbys carry K deaths that come closer together than that, and each costs a JVM's resident memory while it waits. Deaths of
     * independent workers come more often the more workers there are, hence the share of the cores.
     */
    public static int defaultStandbys(int cores) {
        return Math.max(1, cores / 4);
    }

    /** Waits until N workers serve; false when the time ran out or the supervisor stopped first. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return roster.await(() -> stopping || roster.count(Roster.Role.SERVING) >= settings.workers, timeout) && !stopping;
    }

    /**
     * Waits until N workers serve and K standbys are warm at the same time; false when the time
     * ran out or the supervisor stopped first.
     */
    public boolean awaitStandbys(Duration timeout) throws InterruptedException {
        return roster.await(() -> stopping || roster.count(Roster.Role.SERVING) >= settings.workers
                && roster.count(Roster.Role.STANDBY) >= settings.standbys, timeout) && !stopping;
    }

    /** Pids of the workers serving now (standbys not among them). */
    public List<Long> workerPids() {
        return roster.pids(Roster.Role.SERVING);
    }

    /** Pids of the standbys that are warm now, ready to serve. */
    public List<Long> standbyPids() {
        return roster.pids(Roster.Role.STANDBY);
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
        roster.wakeAll();
        log.info("stopping " + slots.size() + " worker processes gracefully");
        for (WorkerSlot slot : slots) {
            Process process = slot.process();
            if (process != null) {
                process.toHandle().destroy(); // SIGTERM: the worker finishes its requests in flight, then exits; its pipes stay open
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

    /** Who serves and who stands by. */
    Roster roster() {
        return roster;
    }

    /**
     * Holds back the slots beyond the first N until N workers serve (or a minute has passed), so
     * that standbys starting do not slow the first workers down; false when the supervisor stopped.
     */
    boolean awaitTurn(int slot) {
        if (slot < settings.workers) {
            return true;
        }
        try {
            roster.await(() -> stopping || roster.count(Roster.Role.SERVING) >= settings.workers, STANDBYS_WAIT);
        } catch (InterruptedException e) {
            return false;
        }
        return !stopping;
    }

    /**
     * Replaces every worker process, one at a time, without a moment with fewer than N serving:
     * what SIGHUP does ({@link SupervisorCommand}), as gunicorn's HUP. New processes run the code
     * and JVM options on disk now (a rebuilt jar). First each standby is stopped and its slot starts
     * a new one; then, for each worker that serves, a new standby is told to serve beside it
     * (N + 1 listen on the port for a moment), and once that one serves the old one gets SIGTERM: it
     * stops listening, answers the requests on its open connections with {@code Connection: close}
     * (the clients reconnect to the others) and exits, and its slot starts a new standby, which is
     * warm before the next worker is replaced. Returns at once, on another thread; a request while
     * one runs is done once more after it. Needs a standby: with none, it only logs why not.
     */
    public void restart() {
        if (settings.standbys == 0) {
            log.warn("restart asked, but there is no standby (-k 0) to serve while each worker is replaced; not restarting");
            return;
        }
        synchronized (this) {
            restartsAsked++;
            if (restarter != null) {
                log.info("restart asked while one runs: another follows it");
                return;
            }
            restarter = new Thread(this::runRestarts, "hearth-supervisor-restart");
            restarter.setDaemon(true);
            restarter.start();
        }
    }

    /** How many restarts have finished, each with every process replaced. */
    public synchronized int restartsDone() {
        return restartsDone;
    }

    private void runRestarts() {
        while (true) {
            synchronized (this) {
                if (restartsAsked == 0 || stopping) {
                    restarter = null;
                    return;
                }
                restartsAsked = 0;
            }
            try {
                if (replaceEveryProcess()) {
                    synchronized (this) {
                        restartsDone++;
                    }
                }
            } catch (InterruptedException e) {
                synchronized (this) {
                    restarter = null;
                }
                return;
            }
        }
    }

    /** One restart; false when it could not finish (the supervisor stopping, or a replacement not warm in time). */
    private boolean replaceEveryProcess() throws InterruptedException {
        long since = System.nanoTime();
        List<Long> standbys = roster.pidsSpawnedBefore(Roster.Role.STANDBY, since);
        List<Long> serving = roster.pidsSpawnedBefore(Roster.Role.SERVING, since);
        log.info("restarting: replacing standbys " + standbys + ", then workers " + serving + ", one at a time");
        int fresh = 0;
        for (long pid : standbys) {
            roster.stopGracefully(pid);
            if (!awaitReplaced(pid, since, ++fresh)) {
                return false;
            }
        }
        for (long pid : serving) {
            if (!roster.retire(pid)) {
                continue; // it died meanwhile; its standby took over already
            }
            if (!roster.await(() -> stopping || roster.count(Roster.Role.SERVING) >= settings.workers, RESTART_STEP_WAIT)
                    || stopping) {
                log.warn("restart: no standby served in place of worker " + pid + " within " + RESTART_STEP_WAIT
                        + "; stopping it anyway, the others serve");
            }
            roster.stopGracefully(pid);
            if (!awaitReplaced(pid, since, settings.standbys)) {
                return false;
            }
        }
        log.info("restarted: workers " + workerPids() + " serve, standbys " + standbyPids() + " stand by");
        return true;
    }

    /** Waits until pid has exited and fresh standbys spawned since the restart began stand by; false when they did not in time. */
    private boolean awaitReplaced(long pid, long since, int fresh) throws InterruptedException {
        boolean replaced = roster.await(() -> stopping || !roster.isRunning(pid)
                && roster.countSpawnedAfter(Roster.Role.STANDBY, since) >= fresh, RESTART_STEP_WAIT);
        if (stopping) {
            return false;
        }
        if (!replaced) {
            log.warn("restart: worker " + pid + " not replaced by a warm standby within " + RESTART_STEP_WAIT + "; restart given up");
        }
        return replaced;
    }

    /**
     * Waits for a turn to start a process: at most {@link #concurrentStarts(int)} JVMs start at
     * once, since each needs a core for a second or more, and several sharing the cores all get
     * warm late together, where one after the other give the first replacement soonest.
     * A turn is taken anyway when no turn has been taken or given back for {@link #START_TURN_WAIT}
     * (a start stuck on the store), not merely because this one waited that long: fifty standbys
     * waiting for their turns start one after the other, not all at once after the wait.
     * Close the turn once the process is warm or has exited; closing twice is harmless.
     */
    StartTurn startTurn() {
        awaitBurstOver();
        boolean acquired = false;
        long waitingSince = System.nanoTime();
        try {
            while (!acquired && !stopping && System.nanoTime() - Math.max(waitingSince, lastTurnMoved.get())
                    < START_TURN_WAIT.toNanos()) {
                acquired = starts.tryAcquire(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!stopping) {
            lastTurnMoved.set(System.nanoTime()); // taken anyway counts too: one more start every 20 s, not all of them
        }
        if (!acquired && !stopping) {
            log.warn("no start turn taken or given back for " + START_TURN_WAIT + " (a start is stuck); starting anyway");
        }
        return new StartTurn(acquired ? starts : null, lastTurnMoved);
    }

    /** Waits while {@link RestartPolicy#deferRefill} says a start should: serving workers are dying and the pool is deep. */
    private void awaitBurstOver() {
        boolean said = false;
        try {
            while (!stopping && RestartPolicy.deferRefill(roster.count(Roster.Role.STANDBY), settings.standbys,
                    roster.nanosSinceServingDeath(System.nanoTime()))) {
                if (!said) {
                    log.info("a start waits for the deaths of serving workers to stop (" + roster.count(Roster.Role.STANDBY)
                            + " of " + settings.standbys + " standbys warm): warm standbys take their places meanwhile");
                    said = true;
                }
                if (awaitStopSignal(Duration.ofMillis(50))) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many worker JVMs may start at once on this many cores: half of them, at least one. */
    static int concurrentStarts(int cores) {
        return Math.max(1, cores / 2);
    }

    /** A turn from {@link #startTurn()}. */
    static final class StartTurn implements AutoCloseable {
        private final Semaphore permits;
        private final AtomicLong lastMoved;
        private final AtomicBoolean closed = new AtomicBoolean();

        private StartTurn(Semaphore permits, AtomicLong lastMoved) {
            this.permits = permits;
            this.lastMoved = lastMoved;
        }

        @Override
        public void close() {
            if (permits != null && closed.compareAndSet(false, true)) {
                lastMoved.set(System.nanoTime());
                permits.release();
            }
        }
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
        private int standbys = defaultStandbys(Runtime.getRuntime().availableProcessors());
        private String host = "127.0.0.1";
        private int port = 8080;
        private Duration stopTimeout = Duration.ofSeconds(40);
        private List<String> workerJvmOptions = List.of();
        private Map<String, String> environment = Map.of();
        private Spawner spawner = ProcessBuilder::start;
        private boolean migrateQueuedConnections;

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

        /** Number of warm standby processes besides the workers; default {@link #defaultStandbys(int)} of the cores. */
        public Builder standbys(int standbys) {
            if (standbys < 0) {
                throw new IllegalArgumentException("standbys must be 0 or more, was " + standbys);
            }
            this.standbys = standbys;
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

        /**
         * Lets the supervisor set Linux's {@code net.ipv4.tcp_migrate_req} to 1 for its network
         * namespace, so that connections queued on a worker that stops or dies go to another one
         * ({@link QueuedConnectionMigration}); it needs root or CAP_NET_ADMIN there, and says so
         * when it cannot. Off unless called: the setting is the whole namespace's.
         */
        public Builder migrateQueuedConnections() {
            this.migrateQueuedConnections = true;
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
