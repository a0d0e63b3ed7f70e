package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/** WarmUp, on its own: what a server answers before it binds the port clients use. */
class WarmUpTest {
    /** Time enough for a loaded host, where what is checked is how many requests, not how fast. */
    private static final Duration LOADED_HOST = Duration.ofMinutes(2);

    @Test
    void everyWarmUpRequestGoesThroughTheHandlerOnTheWorkersThreadsAndItsPortIsClosedAfterwards() throws Exception {
        XnioWorker worker = oneIoThread();
        try {
            List<String> seen = new CopyOnWriteArrayList<>();
            List<Integer> ports = new CopyOnWriteArrayList<>();
            // Time enough for a loaded host: what is checked is where the requests go, not how fast.
            int answered = WarmUp.run(worker, exchange -> {
                seen.add(exchange.getRequestMethod() + " " + exchange.getRequestPath());
                ports.add(exchange.getHostPort());
                exchange.getResponseSender().send("{}");
            }, Duration.ofMinutes(2), Duration.ofMinutes(1));
            assertThat(answered).isEqualTo(seen.size()).isGreaterThanOrEqualTo(5);
            assertThat(seen).contains("GET /livez", "GET /health", "GET /report", "POST /increment");
            int port = ports.get(0);
            assertThat(port).isPositive();
            assertThatThrownBy(() -> RawHttp.open(port).close()).as("connecting to the warm-up port %d afterwards", port)
                    .isInstanceOf(ConnectException.class);
        } finally {
            worker.shutdownNow();
        }
    }

    @Test
    void aStandbysLongerWarmUpStopsBetweenRequestsOnceItIsToldTo() throws Exception {
        XnioWorker worker = oneIoThread();
        try {
            List<String> seen = new CopyOnWriteArrayList<>();
            // Stopped as a standby's is once its server closes.
            int answered = WarmUp.run(worker, recordingPaths(seen), WarmUp.STANDBY_ROUNDS, LOADED_HOST, () -> seen.size() >= 7);
            assertThat(answered).as("requests answered before it stopped").isEqualTo(7).isEqualTo(seen.size());

            int all = WarmUp.run(worker, exchange -> exchange.getResponseSender().send("{}"), 2, LOADED_HOST, () -> false);
            assertThat(all).as("two rounds, never stopped").isEqualTo(10);
        } finally {
            worker.shutdownNow();
        }
    }

    @Test
    void aStandbysLongerWarmUpSendsNoRequestOnceItsBudgetHasPassed() throws Exception {
        XnioWorker worker = oneIoThread();
        try {
            List<String> seen = new CopyOnWriteArrayList<>();
            int answered = WarmUp.run(worker, recordingPaths(seen), WarmUp.STANDBY_ROUNDS, Duration.ZERO, () -> false);
            assertThat(answered).as("requests answered with no time left").isZero();
            assertThat(seen).as("requests the handler saw").isEmpty();
        } finally {
            worker.shutdownNow();
        }
    }

    private static XnioWorker oneIoThread() throws IOException {
        return Xnio.getInstance(Undertow.class.getClassLoader()).createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
    }

    /** Answers {} and adds each request's path to seen. */
    private static HttpHandler recordingPaths(List<String> seen) {
        return exchange -> {
            seen.add(exchange.getRequestPath());
            exchange.getResponseSender().send("{}");
        };
    }
}
