package io.hearth.http;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * A test client thread that sends {@code POST /increment} in a loop until told to stop, over one
 * kept-alive connection (a new one whenever the server answers {@code Connection: close}) or a new
 * connection per request. A request counts as sent before anything is written, as acknowledged
 * once a 200 has been read; a refused connection, a reset or any other status is a failure, kept
 * with what it was.
 */
final class LoadClient extends Thread {
    private final int port;
    private final boolean keepAlive;
    private final BooleanSupplier stop;
    private final byte[] request;
    volatile long sent;
    volatile long acked;
    volatile long refused;
    /** Connections reset, or closed with no answer: what a client of a killed worker sees. */
    volatile long resets;
    volatile long closedByServer;
    /** Every failure, as it was. */
    final List<String> failures = new CopyOnWriteArrayList<>();
    /** The answers other than 200 among them. */
    final List<String> otherStatus = new CopyOnWriteArrayList<>();

    LoadClient(int port, boolean keepAlive, BooleanSupplier stop) {
        super("load-client-" + (keepAlive ? "keep-alive" : "new-connection"));
        this.port = port;
        this.keepAlive = keepAlive;
        this.stop = stop;
        this.request = keepAlive ? "POST /increment HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1) : RawHttp.bytes("POST", "/increment", Map.of(), null);
        setDaemon(true);
    }

    @Override
    public void run() {
        Socket socket = null;
        while (!stop.getAsBoolean()) {
            sent++;
            try {
                if (socket == null) {
                    socket = RawHttp.open(port);
                }
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
                RawHttp.Response response = RawHttp.read(socket.getInputStream());
                if (response.status() == 200) {
                    acked++;
                } else if (response.status() == -1) {
                    resets++;
                    failures.add("closed with no answer");
                } else {
                    otherStatus.add(response.toString());
                    failures.add(response.toString());
                }
                if (!keepAlive || "close".equalsIgnoreCase(response.header("Connection"))) {
                    closedByServer += keepAlive ? 1 : 0;
                    socket.close();
                    socket = null;
                }
            } catch (ConnectException e) {
                refused++;
                failures.add(e.toString());
                socket = null;
            } catch (IOException e) {
                resets++;
                failures.add(e.toString());
                close(socket);
                socket = null;
            } catch (RuntimeException e) {
                failures.add(e.toString());
                close(socket);
                socket = null;
            }
        }
        close(socket);
    }

    /** Sum of one figure over clients. */
    static long sum(List<LoadClient> clients, java.util.function.ToLongFunction<LoadClient> figure) {
        return clients.stream().mapToLong(figure).sum();
    }

    private static void close(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing is all we wanted
            }
        }
    }
}
