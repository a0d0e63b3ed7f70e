package io.hearth.spi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Liveness of other processes, by pid and start time, so a reused pid is not taken for the old
 * process. On Linux it reads {@code /proc/PID/stat}, where a killed process that its parent has
 * not reaped yet (a zombie) already counts as dead: it holds nothing any more. Shared by every
 * backend, so that all of them judge a process dead the same way.
 */
public final class Processes {
    private static final boolean PROC = Files.isReadable(Path.of("/proc/self/stat"));
    /** Field 22 of /proc/PID/stat, counted from the state (field 3), which follows the last ')'. */
    private static final int START_TICKS_FIELD = 22 - 3;

    private Processes() {
    }

    public static long currentPid() {
        return ProcessHandle.current().pid();
    }

    /** Start time of the current process in clock ticks since boot, or 0 when the platform does not tell. */
    public static long currentStartTicks() {
        return Math.max(0, startTicks(currentPid()));
    }

    public static boolean isAlive(long pid) {
        if (PROC) {
            return startTicks(pid) >= 0;
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Whether the process that had this pid when it started at startTicks (clock ticks since boot,
     * as {@link #startTicks} reads them) is still alive: false once it is gone or a zombie, or the
     * pid belongs to a later process. startTicks 0 (unknown) lets the pid alone decide. Ticks
     * since boot, not wall-clock time, so a clock step never makes a live process look dead.
     */
    public static boolean isAlive(long pid, long startTicks) {
        if (!PROC || startTicks == 0) {
            return isAlive(pid);
        }
        return startTicks(pid) == startTicks;
    }

    /**
     * Start time of pid in clock ticks since boot: -1 when the process is gone or a zombie, 0 when
     * this platform has no /proc (then only {@link #isAlive(long)} can tell).
     */
    public static long startTicks(long pid) {
        if (!PROC) {
            return 0;
        }
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return -1;
        }
        // The command name in parentheses may hold spaces and ')'; the fields after the last ')' do not.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        char state = fields[0].charAt(0);
        if (state == 'Z' || state == 'X' || state == 'x') {
            return -1;
        }
        return Long.parseLong(fields[START_TICKS_FIELD]);
    }
}
