package io.hearth;

import java.time.Instant;

/** Liveness of other processes, by pid and start time, so a reused pid is not taken for the old process. */
final class Processes {
    private Processes() {
    }

    static long currentPid() {
        return ProcessHandle.current().pid();
    }

    /** Start time of the current process in epoch ms, or 0 when the platform does not tell. */
    static long currentStartMillis() {
        return startMillis(ProcessHandle.current());
    }

    static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Alive and started at startMillis (0: start time unknown, pid alone decides). */
    static boolean isAlive(long pid, long startMillis) {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .map(handle -> startMillis == 0 || startMillis(handle) == 0 || startMillis(handle) == startMillis)
                .orElse(false);
    }

    private static long startMillis(ProcessHandle handle) {
        return handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}
