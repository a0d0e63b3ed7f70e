package io.hearth.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One worker process of a {@link Supervisor}, kept running: a thread that spawns a worker as a
 * standby, copies its stdout to ours, reports to the supervisor's {@link Roster} when it is warm,
 * when it serves and when it exits, and starts another when it exits (after the wait
 * {@link RestartPolicy} gives), until the supervisor stops. Whether its process serves the port or
 * stands by is the roster's decision, which tells it through {@link #tellToServe(long)}. A worker
 * that exits with {@link Worker#BOOT_FAILURE} (it cannot open the store or the port) while no other
 * worker serves, or a process that cannot be spawned {@link RestartPolicy#SPAWN_ATTEMPTS} times in
 * a row, stops the supervisor instead; while others serve, the slot tries again after a growing wait.
 *
 * <p>Its thread alone starts processes; the supervisor reads {@link #process()} and the roster
 * calls {@link #tellToServe(long)} from any thread.
 */
final class WorkerSlot implements Roster.Member {
    private final int index;
    private final WorkerCommand command;
    private final Map<String, String> environment;
    private final Supervisor.Spawner spawner;
    private final Supervisor supervisor;
    private final ProcessLog log = new ProcessLog("supervisor");
    private final PrintStream out = System.out;
    private final Roster roster;
    private final Thread thread;
    private volatile Process process;

    /** Slot number index of supervisor, whose workers it starts with command and environment through spawner. */
    WorkerSlot(int index, WorkerCommand command, Map<String, String> environment, Supervisor.Spawner spawner,
            Supervisor supervisor) {
        this.index = index;
        this.command = command;
        this.environment = environment;
        this.spawner = spawner;
        this.supervisor = supervisor;
        this.roster = supervisor.roster();
        this.thread = new Thread(this::run, "hearth-worker-slot-" + index);
    }

    void start() {
        thread.start();
    }

    /** The worker process started last, perhaps ended; null before the first. */
    Process process() {
        return process;
    }

    /**
     * Writes {@link Worker#SERVE} to the standby pid's stdin, which makes it bind the shared port;
     * false when pid is no longer this slot's process or cannot be written to (it exited).
     */
    @Override
    public boolean tellToServe(long pid) {
        Process current = process;
        if (current == null || current.pid() != pid || !current.isAlive()) {
            return false;
        }
        try {
            OutputStream orders = current.getOutputStream();
            orders.write((Worker.SERVE + "\n").getBytes(StandardCharsets.UTF_8));
            orders.flush();
        } catch (IOException e) {
            return false; // its stdin is closed: it is exiting
        }
        log.info("told standby " + pid + " (slot " + index + ") to serve");
        return true;
    }

    /** SIGTERM to pid, if it is still this slot's process: it stops listening, drains and exits; the slot then starts another. */
    @Override
    public void stopGracefully(long pid) {
        Process current = process;
        if (current != null && current.pid() == pid) {
            log.info("asking worker " + pid + " (slot " + index + ") to stop gracefully");
            current.toHandle().destroy(); // SIGTERM; Process.destroy() would close its pipes too, and lose its last lines
        }
    }

    @Override
    public String toString() {
        return "slot " + index;
    }

    /** Waits up to timeout for the slot's thread to end; returns at once when called on that thread. */
    void join(Duration timeout) throws InterruptedException {
        if (thread != Thread.currentThread()) {
            thread.join(timeout.toMillis());
        }
    }

    private void run() {
        Duration delay = Duration.ZERO;
        int spawnFailures = 0;
        if (!supervisor.awaitTurn(index)) {
            return;
        }
        while (!supervisor.stopping()) {
            Supervisor.StartTurn turn = supervisor.startTurn();
            if (supervisor.stopping()) {
                turn.close();
                return;
            }
            long started = System.nanoTime();
            Process worker;
            try {
                ProcessBuilder builder = new ProcessBuilder(command.toList()).redirectError(ProcessBuilder.Redirect.INHERIT);
                builder.environment().putAll(environment);
                worker = spawner.start(builder);
            } catch (IOException e) {
                turn.close();
                // A worker killed while the JVM spawns it (SIGKILL to the helper that execs java) fails
                // here just as a missing java would; only a failure that repeats means no worker can start.
                if (++spawnFailures >= RestartPolicy.SPAWN_ATTEMPTS) {
                    log.error("cannot start a worker (" + spawnFailures + " attempts): " + e.getMessage());
                    supervisor.fail(Worker.BOOT_FAILURE);
                    return;
                }
                log.warn("cannot start a worker: " + e.getMessage() + "; trying again in "
                        + RestartPolicy.FIRST_DELAY.toMillis() + " ms");
                if (stoppedWithin(RestartPolicy.FIRST_DELAY)) {
                    return;
                }
                continue;
            }
            spawnFailures = 0;
            process = worker;
            roster.started(this, worker.pid());
            if (supervisor.stopping()) {
                worker.destroy(); // close() may have looked before this process existed
            }
            boolean warmed = forwardUntilExit(worker, turn);
            turn.close(); // when it exited before it was warm
            int status = exitStatus(worker);
            roster.exited(this, worker.pid());
            RestartPolicy.Outcome outcome = warmed ? RestartPolicy.Outcome.STARTED : RestartPolicy.Outcome.NEVER_STARTED;
            if (supervisor.stopping()) {
                return;
            }
            delay = RestartPolicy.nextDelay(delay, outcome, status, Duration.ofNanos(System.nanoTime() - started));
            if (status == Worker.BOOT_FAILURE) {
                List<Long> serving = supervisor.workerPids();
                if (serving.isEmpty()) {
                    log.error("worker " + worker.pid() + " could not start (exit status " + status
                            + ") and no worker serves; stopping, as retrying would not help");
                    supervisor.fail(status);
                    return;
                }
                // The store or port may come back (a file restored, a disk freed): healthy workers keep serving meanwhile.
                log.error("worker " + worker.pid() + " (slot " + index + ") could not start (exit status " + status
                        + ", its reason is above); workers " + serving + " keep serving; trying this slot again in "
                        + delay.toMillis() + " ms");
                if (stoppedWithin(delay)) {
                    return;
                }
                continue;
            }
            log.warn("worker " + worker.pid() + " (slot " + index + ") exited with status " + status
                    + "; starting another in " + delay.toMillis() + " ms");
            if (stoppedWithin(delay)) {
                return;
            }
        }
    }

    /** Waits for the supervisor to stop, up to wait; true when it did (or this thread was interrupted). */
    private boolean stoppedWithin(Duration wait) {
        try {
            return supervisor.awaitStopSignal(wait);
        } catch (InterruptedException e) {
            return true;
        }
    }

    /**
     * Copies the worker's stdout to ours until it ends (the worker exited), telling the roster when
     * the worker is warm and when it serves; true when it got as far as standing by.
     */
    private boolean forwardUntilExit(Process worker, Supervisor.StartTurn turn) {
        boolean warmed = false;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith(Worker.STANDBY + " ")) {
                    warmed = true;
                    turn.close(); // the next process may start
                    log.info("worker " + worker.pid() + " (slot " + index + ") is warm and stands by");
                    roster.warm(this, worker.pid());
                } else if (line.startsWith(Worker.READY + " ")) {
                    log.info("worker " + worker.pid() + " (slot " + index + ") is serving");
                    roster.serving(this, worker.pid());
                } else {
                    out.println(line);
                }
            }
        } catch (IOException e) {
            // the pipe broke: the worker is going; its exit status tells the rest
        }
        return warmed;
    }

    private int exitStatus(Process worker) {
        while (true) {
            try {
                return worker.waitFor();
            } catch (InterruptedException e) {
                if (supervisor.stopping()) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
            }
        }
    }
}
