package io.hearth.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Free TCP ports for servers a test starts in another process, which must be told a port (a server
 * in the test's own JVM binds port 0 instead). Thread-safe.
 */
public final class Ports {
    private Ports() {
    }

    /** A port of 127.0.0.1 that was free a moment ago: another process may still take it before the caller's server binds it. */
    public static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
        }
    }
}
