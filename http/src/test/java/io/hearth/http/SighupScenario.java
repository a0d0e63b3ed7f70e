package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.Listeners;
import io.hearth.testkit.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The SIGHUP restart of {@link StandbysTest}, run as a process of its own so that it can run, with
 * the supervisor and its clients, in a network namespace of its own (where the supervisor may set
 * {@code net.ipv4.tcp_migrate_req} without touching the host's): a real supervisor (3 workers, 1
 * standby) under 16 clients, 8 on one keep-alive connection each and 8 on a new connection per
 * request, is sent SIGHUP. It prints what it saw on a line starting {@code restart: } and exits 0
 * when everything held, or throws the AssertionError that says what did not.
 *
 * <p>Arguments: a folder for the store, then {@code --migrate-queued-connections} when the
 * supervisor is to set the setting (only in a namespace of its own). With the setting on, not one
 * request may fail. With it off, the kernel resets connections it had queued on a closing worker
 * socket; those, and only those, are allowed: requests never executed, so the count is still exact.
 */
public final class SighupScenario {
    private static final int WORKERS = 3;
    private static final int KEEP_ALIVE_CLIENTS = 8;
    private static final int NEW_CONNECTION_CLIENTS = 8;
    private static final Duration STARTUP = Duration.ofMinutes(3);

    private SighupScenario() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        boolean migrate = args.length > 1 && args[1].equals("--migrate-queued-connections");
        int port = Ports.freeLoopbackPort();
        List<String> options = new ArrayList<>(List.of("-n", Integer.toString(WORKERS), "-k", "1", "-p", Integer.toString(port),
                "-s", dir.resolve("standbys.store").toString()));
        if (migrate) {
            options.add("--migrate-queued-connections");
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<LoadClient> clients = new ArrayList<>();
        try (ChildJvm supervisor = SupervisorProcess.startReadingErrors(options.toArray(String[]::new))) {
            supervisor.awaitLine(SupervisorCommand.READY_LINE, STARTUP);
            supervisor.awaitLine(SupervisorCommand.STANDBYS_LINE, STARTUP);
            String setting = Files.readString(QueuedConnectionMigration.SETTING).strip();
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
            String summary = String.format("restart: tcp_migrate_req=%s sent=%d acked=%d count=%d failed=%d"
                            + " keep-alive reconnects=%d fewest-listeners=%d most-sockets-one-process=%d samples=%d; %s",
                    setting, sent, acked, count, failures.size(), reconnects, watch.fewest, watch.mostHeldByOne,
                    watch.samples, restarted);
            System.out.println(summary);

            if (setting.equals("1")) {
                assertThat(failures).as(summary).isEmpty();
            } else {
                // Each worker's socket closes once; at most every client's next connection is queued on it then.
                assertThat(failures).as("with tcp_migrate_req off, only resets of queued connections; " + summary)
                        .hasSizeLessThanOrEqualTo(WORKERS * clients.size()).allMatch("closed with no answer"::equals);
            }
            assertThat(acked).as(summary).isEqualTo(sent - failures.size());
            assertThat(count).as("the count is exactly the requests acknowledged; " + summary).isEqualTo(acked);
            assertThat(serving).as("workers serving after; " + summary).hasSize(WORKERS).doesNotContainAnyElementsOf(before);
            assertThat(watch.samples).as(summary).isPositive();
            assertThat(watch.fewest).as("listeners on the port at the emptiest moment; " + summary).isGreaterThanOrEqualTo(WORKERS);
            assertThat(watch.mostHeldByOne).as("listening sockets one process held; " + summary).isEqualTo(1);

            supervisor.terminate();
            assertThat(supervisor.awaitExit(Duration.ofMinutes(2))).as("the supervisor's exit status").isZero();
        } finally {
            stop.set(true);
        }
    }

    private static void hangUp(long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -HUP " + pid).isZero();
    }
}
