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
        return describe(pid(storeFile));
    }

    /** "process pid", or "another process" when pid is {@link HolderDeadline#UNKNOWN}. */
    static String describe(long pid) {
        return pid == HolderDeadline.UNKNOWN ? "another process" : "process " + pid;
    }

    /**
     * The pid of the process holding the OS lock on the file, from /proc/locks, or {@link HolderDeadline#UNKNOWN}
     * (not Linux, or a holder in another pid namespace, which the kernel shows as pid 0).
     */
    static long pid(Path storeFile) {
        try {
            long inode = (Long) Files.getAttribute(storeFile, "unix:ino");
            long device = (Long) Files.getAttribute(storeFile, "unix:dev");
            // The kernel prints the device as hex major:minor (Linux's encoding of st_dev), then the inode.
            long major = ((device >>> 8) & 0xfff) | ((device >>> 32) & ~0xfffL);
            long minor = (device & 0xff) | ((device >>> 12) & ~0xffL);
            String file = String.format("%02x:%02x:%d", major, minor, inode);
            List<String> locks = Files.readAllLines(Path.of("/proc/locks"));
            for (String line : locks) {
                // 1: POSIX  ADVISORY  WRITE 4052 08:01:1234567 0 EOF
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 5 && fields[5].equals(file)) {
                    long pid = Long.parseLong(fields[4]);
                    return pid > 0 ? pid : HolderDeadline.UNKNOWN;
                }
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            // not Linux, or the file went away (NumberFormatException is an IllegalArgumentException)
        }
        return HolderDeadline.UNKNOWN;
    }
}
