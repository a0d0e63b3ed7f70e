package io.hearth.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Linux's {@code net.ipv4.tcp_migrate_req} (kernel 5.14 and later). When a listening socket
 * closes, the kernel resets the connections queued on it: handshakes done or under way, not yet
 * accepted. With the setting on, it hands them to another socket of the same SO_REUSEPORT group
 * instead. A worker's socket closes when the worker stops in a SIGHUP restart and when it dies;
 * without the setting, the few clients that had just connected to it see a reset.
 *
 * <p>The setting belongs to the whole network namespace (on most hosts, the host), so the
 * supervisor turns it on only when told to ({@code --migrate-queued-connections}); otherwise it
 * only says, once, that it is off.
 */
final class QueuedConnectionMigration {
    static final Path SETTING = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");
    private static final String OFF_CONSEQUENCE = "connections the kernel has queued on a worker's socket when the"
            + " worker stops (SIGHUP restart) or dies are reset instead of handed to another worker";

    private final Path setting;

    QueuedConnectionMigration(Path setting) {
        this.setting = setting;
    }

    /** Turns the setting on; returns the line to log, which says why when it could not. */
    String enable() {
        String now;
        try {
            now = Files.readString(setting).strip();
        } catch (NoSuchFileException e) {
            return "--migrate-queued-connections: this kernel has no " + setting + " (Linux 5.14 and later have it); "
                    + OFF_CONSEQUENCE;
        } catch (IOException e) {
            return "--migrate-queued-connections: cannot read " + setting + " (" + e + "); " + OFF_CONSEQUENCE;
        }
        if (now.equals("1")) {
            return "net.ipv4.tcp_migrate_req is 1 already: connections queued on a worker that stops or dies go to another worker";
        }
        try {
            Files.writeString(setting, "1");
        } catch (IOException e) {
            return "--migrate-queued-connections: cannot set " + setting + " to 1 (" + e + "; it needs root, or"
                    + " CAP_NET_ADMIN in this network namespace); it stays " + now + ", so " + OFF_CONSEQUENCE;
        }
        return "set net.ipv4.tcp_migrate_req from " + now + " to 1 for this network namespace"
                + " (--migrate-queued-connections): connections queued on a worker that stops or dies go to another worker";
    }

    /** The line to log when not told to enable it: null when it is on, or when this kernel has no such setting. */
    String describe() {
        String now;
        try {
            now = Files.readString(setting).strip();
        } catch (IOException e) {
            return null; // not Linux 5.14 or later: nothing the user could turn on
        }
        if (now.equals("1")) {
            return null;
        }
        return "net.ipv4.tcp_migrate_req is " + now + ": " + OFF_CONSEQUENCE + "; run with --migrate-queued-connections"
                + " to let the supervisor set it, or set it yourself (sysctl -w net.ipv4.tcp_migrate_req=1)";
    }
}
