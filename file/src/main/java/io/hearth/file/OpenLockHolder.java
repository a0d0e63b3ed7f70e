package io.hearth.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Who holds the OS lock on a store file, from /proc/locks, for messages. */
final class OpenLockHolder {
    private OpenLockHolder() {
    }

    /** "process N" when /proc/locks tells, else "another process". */
    static String describe(Path storeFile) {
        long pid = pid(storeFile);
        return pid == HolderDeadline.UNKNOWN ? "another process" : "process " + pid;
    }

    /** The pid of the process holding the OS lock on the file, from /proc/locks, or {@link HolderDeadline#UNKNOWN}. */
    static long pid(Path storeFile) {
        try {
            Object inode = Files.getAttribute(storeFile, "unix:ino");
            List<String> locks = Files.readAllLines(Path.of("/proc/locks"));
            for (String line : locks) {
                // 1: POSIX  ADVISORY  WRITE 4052 08:01:1234567 0 EOF
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 5 && fields[5].endsWith(":" + inode)) {
                    return Long.parseLong(fields[4]);
                }
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // not Linux, or the file went away (NumberFormatException is an IllegalArgumentException)
        }
        return HolderDeadline.UNKNOWN;
    }
}
