package io.hearth.spi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

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

    /** Start time of the current process in epoch ms, or 0 when the platform does not tell. */
    public static long currentStartMillis() {
        return startMillis(ProcessHandle.current());
    }

    public static boolean isAlive(long pid) {
        if (PROC) {
            return startTicks(pid) >= 0;
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Alive and started at startMillis (0: start time unknown, pid alone decides). */
    public static boolean isAlive(long pid, long startMillis) {
        if (PROC && startTicks(pid) < 0) {
            return false;
        }
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .map(handle -> startMillis == 0 || startMillis(handle) == 0 || startMillis(handle) == startMillis)
                .orElse(false);
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

    private static long startMillis(ProcessHandle handle) {
        return handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}
