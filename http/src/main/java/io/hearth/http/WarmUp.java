package io.hearth.http;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.xnio.XnioWorker;

/**
 * Sends a server's first requests itself, before it binds the port clients use. A new JVM answers
 * its first requests slowly (classes load, code runs interpreted); a worker that joined a shared
 * port cold would make the connections the kernel hands it meanwhile wait, up to hundreds of
 * milliseconds on a busy host. So the handlers serve a few rounds of requests on a private loopback
 * port first, over the same XNIO threads, and only then does the server listen where clients are.
 *
 * <p>The requests change nothing and claim nothing in the store: liveness, health, a counter read
 * (which never creates the counter) and an increment refused for its bad key before any store call.
 * They bypass the request metrics. A warm-up that fails or runs out of time only logs: the server
 * serves anyway, as it would have without one.
 */
final class WarmUp {
    private static final System.Logger LOG = System.getLogger(HearthServer.class.getName());
    private static final List<String> REQUESTS = List.of(
            "GET /livez", "GET /health", "GET /report", "POST /increment?key=%2F", "GET /counters/" + CounterEndpoints.DEFAULT_KEY);
    /** How many requests one round sends. */
    static final int REQUESTS_PER_ROUND = REQUESTS.size();
    /** Measured over 4 starts each: three rounds warm about as well as twenty, for a fraction of their CPU. */
    private static final int ROUNDS = 3;
    /**
     * At most this long in all, and for one answer: a store that answers slowly (Redis) must not hold
     * the start up, but a loaded host may well take seconds over a cold JVM's first requests.
     */
    private static final Duration BUDGET = Duration.ofSeconds(10);
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);

    private WarmUp() {
    }

    /**
     * Rounds a standby serves after the first ones and before it says it is warm, so that the JIT
     * compiles what a request runs (its thresholds are hundreds of calls; the first rounds are 15
     * requests). Measured by hand (wrk, new connection per request, the first second after a kill):
     * a standby promoted after the first rounds only answered about 1,700 requests/s, one that did
     * these 60 about 2,800, for about 0.45 s more CPU per start; 100 rounds were no faster, for 1 s.
     */
    static final int STANDBY_ROUNDS = 60;
    /**
     * The longer warm-up's bound in wall time: no request is sent after it (one in flight finishes).
     * On a quiet host the rounds fit in it; beside a saturating load a starting JVM gets a quarter of
     * a core (ChaosKillTest's load on 2 cores, 2026-12-03: 12 to 17 s from spawn to warm), and a
     * standby that exists at all matters more then than one fully compiled.
     */
    static final Duration STANDBY_BUDGET = Duration.ofSeconds(1);

    /** Serves the warm-up requests with handler on worker's threads; returns how many were answered. */
    static int run(XnioWorker worker, HttpHandler handler) {
        return run(worker, handler, BUDGET, ANSWER_TIMEOUT);
    }

    static int run(XnioWorker worker, HttpHandler handler, Duration budget, Duration answerTimeout) {
        return run(worker, handler, ROUNDS, budget, answerTimeout, () -> false);
    }

    /**
     * As {@link #run(XnioWorker, HttpHandler)}, for rounds, stopping between requests once stop says
     * so or {@link #STANDBY_BUDGET} has passed.
     */
    static int run(XnioWorker worker, HttpHandler handler, int rounds, BooleanSupplier stop) {
        return run(worker, handler, rounds, STANDBY_BUDGET, stop);
    }

    /** As {@link #run(XnioWorker, HttpHandler, int, BooleanSupplier)}, within budget. */
    static int run(XnioWorker worker, HttpHandler handler, int rounds, Duration budget, BooleanSupplier stop) {
        return run(worker, handler, rounds, budget, ANSWER_TIMEOUT, stop);
    }

    private static int run(XnioWorker worker, HttpHandler handler, int rounds, Duration budget, Duration answerTimeout,
                           BooleanSupplier stop) {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Undertow warmUp = Undertow.builder().setWorker(worker).addHttpListener(0, loopback.getHostAddress()).setHandler(handler).build();
        int answered = 0;
        if (stop.getAsBoolean()) {
            return 0;
        }
        try {
            warmUp.start();
        } catch (RuntimeException e) {
            if (stop.getAsBoolean()) {
                return 0; // closed meanwhile: nothing to say
            }
            LOG.log(System.Logger.Level.WARNING, "no warm-up: cannot listen on " + loopback + " (" + e + "); serving anyway");
            return 0;
        }
        try {
            InetSocketAddress address = (InetSocketAddress) warmUp.getListenerInfo().get(0).getAddress();
            long deadline = System.nanoTime() + budget.toNanos();
            for (int round = 0; round < rounds; round++) {
                for (String request : REQUESTS) {
                    if (stop.getAsBoolean() || System.nanoTime() >= deadline) {
                        return answered;
                    }
                    if (send(address, request, (int) answerTimeout.toMillis())) {
                        answered++;
                    }
                }
            }
        } catch (IOException e) {
            if (!stop.getAsBoolean()) {
                LOG.log(System.Logger.Level.WARNING, "warm-up stopped early (" + e + "); serving anyway");
            }
        } finally {
            warmUp.stop(); // closes its listening socket only: the worker is the caller's
        }
        return answered;
    }

    private static boolean send(InetSocketAddress address, String request, int timeoutMillis) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            socket.getOutputStream().write((request + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            byte[] status = in.readNBytes(12); // "HTTP/1.1 200"
            in.readAllBytes();
            return status.length == 12;
        }
    }
}
