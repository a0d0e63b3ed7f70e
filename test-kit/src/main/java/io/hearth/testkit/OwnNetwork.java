package io.hearth.testkit;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of a child process's own, with its own loopback and its own
 * {@code /proc/sys/net} settings, for a test that needs a setting of the network (such as
 * {@code net.ipv4.tcp_migrate_req}) without changing the host's. Made by util-linux's
 * {@code unshare} in a user namespace ({@code --map-root-user}), so it needs no root where the
 * kernel allows unprivileged user namespaces; {@code ip} (iproute2) brings its loopback up. The
 * namespace ends with the last process in it. Its loopback is not the host's: the child and what
 * it starts can talk to each other only.
 */
public final class OwnNetwork {
    private static final List<String> LAUNCHER = List.of("unshare", "--user", "--map-root-user", "--net",
            "sh", "-c", "ip link set lo up && exec \"$@\"", "own-network");
    private static volatile Optional<String> unavailable;

    private OwnNetwork() {
    }

    /**
     * The command that starts a child in a network namespace of its own ({@link ChildJvm.Builder#launchedBy}),
     * or empty when this machine cannot make one ({@link #whyUnavailable()} says why).
     */
    public static Optional<List<String>> launcher() {
        return whyUnavailable().isEmpty() ? Optional.of(LAUNCHER) : Optional.empty();
    }

    /** Why no network namespace can be made here, found by trying once; empty when one can. */
    public static Optional<String> whyUnavailable() {
        Optional<String> known = unavailable;
        if (known == null) {
            known = probe();
            unavailable = known;
        }
        return known;
    }

    private static Optional<String> probe() {
        List<String> command = new java.util.ArrayList<>(LAUNCHER);
        command.add("true");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.of(String.join(" ", command) + " did not finish within 30 s");
            }
            String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            return process.exitValue() == 0 ? Optional.empty()
                    : Optional.of(String.join(" ", command) + " exited " + process.exitValue() + ": " + output);
        } catch (IOException e) {
            return Optional.of("cannot run unshare (util-linux): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while trying unshare");
        }
    }
}
