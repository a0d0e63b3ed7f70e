package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.Listeners;
import io.hearth.testkit.Ports;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP to a real supervisor process under load: 16 clients send {@code POST /increment} for as
 * long as the restart takes, 8 over one keep-alive connection each (a new one when the server says
 * {@code Connection: close}), 8 over a new connection per request. Every worker process is
 * replaced, and not one request is refused, reset or answered other than 200: the count the store
 * ends with is exactly the number of requests sent. Meanwhile the kernel's table of listening
 * sockets is read every few milliseconds: the port never has fewer listeners than workers, and no
 * process ever holds two of them.
 */
class RollingRestartTest {
    private static final int WORKERS = 3;
    private static final int STANDBYS = 1;
    private static final int KEEP_ALIVE_CLIENTS = 8;
    private static final int NEW_CONNECTION_CLIENTS = 8;
    private static final Duration STARTUP = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    private final List<ChildJvm> started = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<LoadClient> clients = new ArrayList<>();

    @AfterEach
    void stopClientsAndKillWhatIsLeft() throws InterruptedException {
        stop.set(true);
        for (LoadClient client : clients) {
            client.join(30_000);
        }
        started.forEach(ChildJvm::close);
    }

    @Test
    void sighupReplacesEveryWorkerOneAtATimeWithNoRequestRefusedOrFailedAndTheExactCount() throws Exception {
        int port = Ports.freeLoopbackPort();
        ChildJvm supervisor = SupervisorProcess.startReadingErrors("-n", Integer.toString(WORKERS), "-k",
                Integer.toString(STANDBYS), "-p", Integer.toString(port), "-s", dir.resolve("restart.store").toString());
        started.add(supervisor);
        supervisor.awaitLine(SupervisorCommand.READY_LINE, STARTUP);
        supervisor.awaitLine(SupervisorCommand.STANDBYS_LINE, STARTUP);
        Set<Long> before = new HashSet<>();
        supervisor.descendants().forEach(process -> before.add(process.pid()));
        assertThat(Listeners.pidsAmongListening(port, supervisor.descendants())).as("workers serving before").hasSize(WORKERS);

        for (int i = 0; i < KEEP_ALIVE_CLIENTS + NEW_CONNECTION_CLIENTS; i++) {
            LoadClient client = new LoadClient(port, i < KEEP_ALIVE_CLIENTS, stop::get);
            clients.add(client);
            client.start();
        }
        Thread.sleep(1_000);
        PortWatch watch = new PortWatch(port, supervisor);
        watch.start();
        hangUp(supervisor.pid());
        String restarted = supervisor.awaitLineContaining("restarted: workers", STARTUP);
        Thread.sleep(1_000);
        stop.set(true);
        for (LoadClient client : clients) {
            client.join(60_000);
        }
        watch.interrupt();
        watch.join(10_000);

        long sent = LoadClient.sum(clients, client -> client.sent);
        long acked = LoadClient.sum(clients, client -> client.acked);
        long reconnects = LoadClient.sum(clients, client -> client.closedByServer);
        List<String> failures = new ArrayList<>();
        clients.forEach(client -> failures.addAll(client.failures));
        long count = RawHttp.request(port, "GET", "/report").json().get("count").asLong();
        Set<Long> serving = Listeners.pidsAmongListening(port, supervisor.descendants());
        String summary = String.format("restart: sent=%d acked=%d count=%d failed=%d keep-alive reconnects=%d"
                        + " fewest-listeners=%d most-sockets-one-process=%d samples=%d; %s",
                sent, acked, count, failures.size(), reconnects, watch.fewest, watch.mostHeldByOne, watch.samples, restarted);
        System.out.println(summary);

        assertThat(failures).as(summary).isEmpty();
        assertThat(acked).as(summary).isEqualTo(sent);
        assertThat(count).as(summary).isEqualTo(sent);
        assertThat(serving).as("workers serving after; " + summary).hasSize(WORKERS).doesNotContainAnyElementsOf(before);
        assertThat(watch.samples).as(summary).isPositive();
        assertThat(watch.fewest).as("listeners on the port at the emptiest moment; " + summary).isGreaterThanOrEqualTo(WORKERS);
        assertThat(watch.mostHeldByOne).as("listening sockets one process held; " + summary).isEqualTo(1);

        supervisor.terminate();
        assertThat(supervisor.awaitExit(Duration.ofMinutes(2))).isZero();
    }

    private static void hangUp(long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -HUP " + pid).isZero();
    }

    /** Reads the listening sockets on the port until interrupted: the fewest seen, and the most one process held. */
    private static final class PortWatch extends Thread {
        private final int port;
        private final ChildJvm supervisor;
        volatile int fewest = Integer.MAX_VALUE;
        volatile int mostHeldByOne;
        volatile long samples;

        PortWatch(int port, ChildJvm supervisor) {
            super("restart-port-watch");
            this.port = port;
            this.supervisor = supervisor;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!isInterrupted()) {
                fewest = Math.min(fewest, Listeners.socketsOn(port).size());
                if (samples % 10 == 0) { // reading every process's descriptors takes longer than the kernel's table
                    for (ProcessHandle process : supervisor.descendants()) {
                        mostHeldByOne = Math.max(mostHeldByOne, Listeners.socketsHeldOn(port, process));
                    }
                }
                samples++;
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
