package io.hearth.http;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Which of a {@link Supervisor}'s worker processes serves the shared port and which stands by, and
 * the one rule that moves them: while fewer than the wanted number serve, the standby that has
 * waited longest is told to serve. A process has one role at a time and moves only forward,
 * starting, then standby, then promoted (told to serve), then serving, until it exits; so no
 * standby is told to serve twice, and no more processes are told to serve than there are places.
 *
 * <p>The slots report what their processes print and when they exit; the roster never starts or
 * kills a process itself. Thread-safe: every method holds this object's monitor, which
 * {@link #await} waits on.
 */
final class Roster {
    /** What a worker process is doing, as far as the supervisor knows. */
    enum Role {
        /** Spawned; opening the store and warming up. */
        STARTING,
        /** Warm, holding no socket on the shared port, waiting to be told to serve. */
        STANDBY,
        /** Told to serve: binding the port. Counts as serving, so that nobody else is told meanwhile. */
        PROMOTED,
        /** Serving the shared port. */
        SERVING,
        /**
         * Serving still, but replaced (a restart, SIGHUP): no longer counted among the serving, so a
         * standby is told to serve in its place, and stopped once that one serves.
         */
        RETIRING
    }

    /** One place that keeps a worker process running: a {@link WorkerSlot}, or a fake in tests. */
    interface Member {
        /** Tells the process pid to serve; false when it can no longer be told (it has exited). */
        boolean tellToServe(long pid);

        /** Asks the process pid to stop gracefully (SIGTERM), if it is still this member's. */
        void stopGracefully(long pid);
    }

    /** A process, its role and when it was spawned ({@link System#nanoTime()}). */
    private record Process(long pid, Role role, long spawned) {
        Process as(Role next) {
            return new Process(pid, next, spawned);
        }
    }

    private final int wanted;
    private final Map<Member, Process> processes = new LinkedHashMap<>();
    /** {@link System#nanoTime()} of the last exit of a process that was serving or told to serve, not retiring. */
    private long lastServingDeath;
    private boolean servingDied;
    /** Standbys in the order they became warm: the longest waiting is told first. */
    private final Deque<Member> standbys = new ArrayDeque<>();

    /** A roster that keeps wanted processes serving whenever it has standbys for them. */
    Roster(int wanted) {
        this.wanted = wanted;
    }

    /** member spawned the process pid. */
    synchronized void started(Member member, long pid) {
        standbys.remove(member);
        processes.put(member, new Process(pid, Role.STARTING, System.nanoTime()));
        notifyAll();
    }

    /** member's process pid is warm and stands by; it is told to serve at once if a place is free. */
    synchronized void warm(Member member, long pid) {
        if (!is(member, pid, Role.STARTING)) {
            return;
        }
        processes.put(member, processes.get(member).as(Role.STANDBY));
        standbys.addLast(member);
        fillPlaces();
        notifyAll();
    }

    /** member's process pid said it serves the port. */
    synchronized void serving(Member member, long pid) {
        Process process = processes.get(member);
        if (process != null && process.pid == pid && process.role == Role.PROMOTED) {
            processes.put(member, process.as(Role.SERVING));
            notifyAll();
        }
    }

    /** member's process pid exited: whatever it did, a standby takes its place if it served. */
    synchronized void exited(Member member, long pid) {
        Process process = processes.get(member);
        if (process != null && process.pid == pid) {
            if (process.role == Role.SERVING || process.role == Role.PROMOTED) {
                lastServingDeath = System.nanoTime(); // a retiring one was asked to go: not a death
                servingDied = true;
            }
            processes.remove(member);
            standbys.remove(member);
            fillPlaces();
            notifyAll();
        }
    }

    /** The role of member's process, or null when it has none (not started, or exited). */
    synchronized Role role(Member member) {
        Process process = processes.get(member);
        return process == null ? null : process.role;
    }

    /** Pids of the processes that have this role now, in no particular order. */
    synchronized List<Long> pids(Role role) {
        List<Long> pids = new ArrayList<>();
        processes.values().forEach(process -> {
            if (process.role == role) {
                pids.add(process.pid);
            }
        });
        return pids;
    }

    /** Pids of the processes that have this role now and were spawned before the instant since ({@link System#nanoTime()}). */
    synchronized List<Long> pidsSpawnedBefore(Role role, long since) {
        List<Long> pids = new ArrayList<>();
        processes.values().forEach(process -> {
            if (process.role == role && process.spawned - since < 0) {
                pids.add(process.pid);
            }
        });
        return pids;
    }

    /** How many processes have this role now and were spawned after the instant since ({@link System#nanoTime()}). */
    synchronized int countSpawnedAfter(Role role, long since) {
        return (int) processes.values().stream().filter(process -> process.role == role && process.spawned - since >= 0).count();
    }

    /** Whether the process pid is still running, as far as its slot has told. */
    synchronized boolean isRunning(long pid) {
        return processes.values().stream().anyMatch(process -> process.pid == pid);
    }

    /**
     * The serving process pid is to be replaced: it stops counting among the serving, so the
     * longest-waiting standby is told to serve in its place; false when pid does not serve (it
     * exited meanwhile, or was retired already). The caller stops it once its replacement serves.
     */
    synchronized boolean retire(long pid) {
        for (Map.Entry<Member, Process> entry : processes.entrySet()) {
            if (entry.getValue().pid == pid && entry.getValue().role == Role.SERVING) {
                entry.setValue(entry.getValue().as(Role.RETIRING));
                fillPlaces();
                notifyAll();
                return true;
            }
        }
        return false;
    }

    /** Asks the process pid to stop gracefully, through the member that runs it; false when none does. */
    synchronized boolean stopGracefully(long pid) {
        for (Map.Entry<Member, Process> entry : processes.entrySet()) {
            if (entry.getValue().pid == pid) {
                entry.getKey().stopGracefully(pid);
                return true;
            }
        }
        return false;
    }

    /** Nanoseconds since a process exited while serving (or told to serve) without being retired; Long.MAX_VALUE if none has. */
    synchronized long nanosSinceServingDeath(long nowNanos) {
        return servingDied ? nowNanos - lastServingDeath : Long.MAX_VALUE;
    }

    /** How many processes have this role now. */
    synchronized int count(Role role) {
        return (int) processes.values().stream().filter(process -> process.role == role).count();
    }

    /** Waits until condition holds (checked under this monitor whenever a role changes), up to timeout; true when it did. */
    synchronized boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** Wakes every {@link #await}, whose condition may depend on more than the roles (the supervisor stopping). */
    synchronized void wakeAll() {
        notifyAll();
    }

    private boolean is(Member member, long pid, Role role) {
        Process process = processes.get(member);
        return process != null && process.pid == pid && process.role == role;
    }

    private void fillPlaces() {
        while (count(Role.PROMOTED) + count(Role.SERVING) < wanted && !standbys.isEmpty()) {
            Member member = standbys.removeFirst();
            Process standby = processes.get(member);
            if (member.tellToServe(standby.pid)) {
                processes.put(member, standby.as(Role.PROMOTED));
            } else {
                // It is exiting: its slot reports that next, and starts another.
                processes.put(member, standby.as(Role.STARTING));
            }
        }
    }
}
