package io.hearth.spi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Liveness of other processes, by pid and start time, so a reused pid is not taken for the old
 * process. On Linux it reads {@code /proc/PID/stat}, where a killed process that its parent has
 * not reaped yet (a zombie) already counts as dead: it holds nothing any more. So does a process
 * that SIGKILL has been sent to, or that has begun to exit: from the moment {@code kill} returns,
 * none of its threads runs its own code again (those on a CPU are interrupted at once), while the
 * kernel's tearing down of a JVM's memory takes 4 to 8 ms more on a quiet 2-core machine and tens
 * of milliseconds on a busy one, during which its locks would otherwise wait. Shared by every
 * backend, so that all of them judge a process dead the same way.
 */
public final class Processes {
    private static final boolean PROC = Files.isReadable(Path.of("/proc/self/stat"));
    /** Field 22 of /proc/PID/stat, counted from the state (field 3), which follows the last ')'. */
    private static final int START_TICKS_FIELD = 22 - 3;
    /** Field 9 of /proc/PID/stat, the kernel's flags of the process's first thread. */
    private static final int FLAGS_FIELD = 9 - 3;
    /** PF_EXITING: the thread has begun do_exit. */
    private static final long EXITING = 0x4;
    /** SIGKILL (9) in the pending-signal masks of /proc/PID/status, where signal n is bit n - 1. */
    private static final long SIGKILL_BIT = 1L << 8;

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
     * Start time of pid in clock ticks since boot: -1 when the process is gone, a zombie, exiting
     * or sent SIGKILL; 0 when this platform has no /proc (then only {@link #isAlive(long)} can tell).
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
        if (state == 'Z' || state == 'X' || state == 'x' || (Long.parseLong(fields[FLAGS_FIELD]) & EXITING) != 0
                || killPending(pid)) {
            return -1;
        }
        return Long.parseLong(fields[START_TICKS_FIELD]);
    }

    /** Whether SIGKILL waits in pid's pending signals (its own or its thread group's); false when it cannot tell. */
    private static boolean killPending(long pid) {
        try {
            return killPendingIn(Files.readAllLines(Path.of("/proc/" + pid + "/status"), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return false; // gone since the stat was read, which the next look tells
        }
    }

    /** Whether the lines of a /proc/PID/status show SIGKILL pending. */
    static boolean killPendingIn(List<String> status) {
        for (String line : status) {
            if (line.startsWith("SigPnd:") || line.startsWith("ShdPnd:")) {
                try {
                    if ((Long.parseUnsignedLong(line.substring(7).strip(), 16) & SIGKILL_BIT) != 0) {
                        return true;
                    }
                } catch (NumberFormatException e) {
                    return false; // not the format of any kernel known: cannot tell
                }
            }
        }
        return false;
    }
}
