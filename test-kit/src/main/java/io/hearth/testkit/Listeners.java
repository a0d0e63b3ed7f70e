package io.hearth.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which processes listen on a TCP port, as the kernel tells it (Linux): the listening sockets of
 * {@code /proc/net/tcp} and {@code /proc/net/tcp6} on that port, and the processes whose open
 * files include one of them ({@code /proc/PID/fd/N -> socket:[INODE]}). Asks no worker and no
 * supervisor what it thinks it is doing.
 */
public final class Listeners {
    private static final String LISTEN = "0A";
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    private Listeners() {
    }

    /**
     * The inodes of the sockets listening on port, on any address, IPv4 or IPv6. The kernel lists
     * the listening sockets first, so the reading stops at the first socket that is not one: the
     * tables also hold every connection in TIME_WAIT, tens of thousands under a load of new
     * connections, which would take longer to read than a tick of the tests that ask.
     */
    public static Set<Long> socketsOn(int port) {
        String hexPort = ":" + String.format(Locale.ROOT, "%04X", port);
        Set<Long> inodes = new HashSet<>();
        for (Path table : TABLES) {
            try (BufferedReader lines = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
                lines.readLine(); // the header
                for (String line; (line = lines.readLine()) != null; ) {
                    String[] fields = line.trim().split("\\s+");
                    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
                    if (fields.length <= 9 || !fields[3].equals(LISTEN)) {
                        break;
                    }
                    if (fields[1].endsWith(hexPort)) {
                        inodes.add(Long.parseLong(fields[9]));
                    }
                }
            } catch (NoSuchFileException e) {
                // no IPv6
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return inodes;
    }

    /** Which of processes hold a socket listening on port. A process that exits meanwhile is left out. */
    public static Set<ProcessHandle> amongListening(int port, Collection<ProcessHandle> processes) {
        Set<String> sockets = new HashSet<>();
        socketsOn(port).forEach(inode -> sockets.add("socket:[" + inode + "]"));
        Set<ProcessHandle> listening = new HashSet<>();
        if (sockets.isEmpty()) {
            return listening;
        }
        for (ProcessHandle process : processes) {
            if (holdsAny(process.pid(), sockets)) {
                listening.add(process);
            }
        }
        return listening;
    }

    /** The pids of processes that listen on port; see {@link #amongListening}. */
    public static Set<Long> pidsAmongListening(int port, Collection<ProcessHandle> processes) {
        Set<Long> pids = new HashSet<>();
        amongListening(port, processes).forEach(process -> pids.add(process.pid()));
        return pids;
    }

    /** How many listening sockets on port process holds. */
    public static int socketsHeldOn(int port, ProcessHandle process) {
        return socketsHeldBy(port, process).size();
    }

    /** The inodes of the sockets listening on port that process holds; empty once it has exited. */
    public static Set<Long> socketsHeldBy(int port, ProcessHandle process) {
        Set<Long> held = new HashSet<>();
        Set<Long> listening = socketsOn(port);
        for (String link : links(process.pid())) {
            if (link.startsWith("socket:[") && link.endsWith("]")) {
                long inode = Long.parseLong(link.substring("socket:[".length(), link.length() - 1));
                if (listening.contains(inode)) {
                    held.add(inode);
                }
            }
        }
        return held;
    }

    private static boolean holdsAny(long pid, Set<String> sockets) {
        for (String link : links(pid)) {
            if (sockets.contains(link)) {
                return true;
            }
        }
        return false;
    }

    /** Where each of pid's file descriptors points; empty once the process is gone. */
    private static List<String> links(long pid) {
        List<String> links = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    links.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException closedMeanwhile) {
                    // that descriptor was closed while we looked
                }
            }
        } catch (IOException gone) {
            // the process exited
        }
        return links;
    }
}
