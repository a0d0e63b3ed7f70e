package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.Listeners;
import io.hearth.testkit.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A serving worker of a real supervisor killed with SIGKILL under steady load (16 clients, a new
 * connection per request), {@value #KILLS} times, each once the standby is back: the standby serves
 * in its place, so no connection is ever refused (the port always has listeners), and the only
 * failed requests are those the killed worker had taken or the kernel had queued on its socket (at
 * most one per client). Reported, not asserted: the time from each kill until the kernel lists as
 * many listening sockets on the port as there are workers, without the killed one's; and each
 * standby's resident memory.
 */
class StandbyTakeoverTest {
    private static final int WORKERS = 3;
    private static final int STANDBYS = 1;
    private static final int CLIENTS = 16;
    private static final int KILLS = 5;
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
    void aServingWorkerKilledUnderLoadIsReplacedByTheStandbyWithNoConnectionRefused() throws Exception {
        int port = Ports.freeLoopbackPort();
        ChildJvm supervisor = SupervisorProcess.startReadingErrors("-n", Integer.toString(WORKERS), "-k",
                Integer.toString(STANDBYS), "-p", Integer.toString(port), "-s", dir.resolve("takeover.store").toString());
        started.add(supervisor);
        supervisor.awaitLine(SupervisorCommand.READY_LINE, STARTUP);
        supervisor.awaitLine(SupervisorCommand.STANDBYS_LINE, STARTUP);
        List<String> standbyMemory = new ArrayList<>();
        standbyMemory.add(residentMemory(port, supervisor));
        for (int i = 0; i < CLIENTS; i++) {
            LoadClient client = new LoadClient(port, false, stop::get);
            clients.add(client);
            client.start();
        }
        Thread.sleep(1_000);

        List<Double> takeoverMillis = new ArrayList<>();
        for (int kill = 0; kill < KILLS; kill++) {
            List<ProcessHandle> serving = new ArrayList<>(Listeners.amongListening(port, supervisor.descendants()));
            assertThat(serving).as("serving before kill %d", kill + 1).hasSize(WORKERS);
            ProcessHandle victim = serving.get(ThreadLocalRandom.current().nextInt(serving.size()));
            Set<Long> victimSockets = Listeners.socketsHeldBy(port, victim);
            long killedAt = System.nanoTime();
            assertThat(victim.destroyForcibly()).isTrue();
            while (true) {
                Set<Long> listening = Listeners.socketsOn(port);
                if (listening.size() >= WORKERS && listening.stream().noneMatch(victimSockets::contains)) {
                    break;
                }
                assertThat(System.nanoTime() - killedAt).as("the port served by %d again", WORKERS)
                        .isLessThan(Duration.ofMinutes(1).toNanos());
            }
            takeoverMillis.add((System.nanoTime() - killedAt) / 1e6);
            // Its replacement is spawned 250 ms after the death, and stands by once warm.
            supervisor.awaitLineContaining("is warm and stands by", STARTUP);
            Thread.sleep(500);
            standbyMemory.add(residentMemory(port, supervisor));
        }
        Thread.sleep(500);
        stop.set(true);
        for (LoadClient client : clients) {
            client.join(60_000);
        }

        long sent = LoadClient.sum(clients, client -> client.sent);
        long acked = LoadClient.sum(clients, client -> client.acked);
        long refused = LoadClient.sum(clients, client -> client.refused);
        long failed = sent - acked;
        long count = RawHttp.request(port, "GET", "/report").json().get("count").asLong();
        String summary = String.format("takeover: kills=%d sent=%d acked=%d failed=%d refused=%d count=%d"
                        + " kill-to-%d-listeners-ms=%s standby-rss=%s",
                KILLS, sent, acked, failed, refused, count, WORKERS, format(takeoverMillis), standbyMemory);
        System.out.println(summary);

        assertThat(refused).as("refused connections; " + summary).isZero();
        assertThat(failed).as("failed requests, at most one per client per kill; " + summary).isLessThanOrEqualTo((long) CLIENTS * KILLS);
        assertThat(count).as("acked <= count <= sent; " + summary).isBetween(acked, sent);
        supervisor.terminate();
        assertThat(supervisor.awaitExit(Duration.ofMinutes(2))).isZero();
    }

    /** The resident memory of the processes of the supervisor that do not listen: its standbys. */
    private static String residentMemory(int port, ChildJvm supervisor) throws Exception {
        List<ProcessHandle> all = supervisor.descendants();
        Set<Long> serving = Listeners.pidsAmongListening(port, all);
        List<String> sizes = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (ProcessHandle process : all) {
            if (serving.contains(process.pid()) || !seen.add(process.pid())) {
                continue;
            }
            Path status = Path.of("/proc", Long.toString(process.pid()), "status");
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    sizes.add(process.pid() + ":" + Long.parseLong(line.replaceAll("\\D", "")) / 1024 + "MiB");
                }
            }
        }
        return String.join(",", sizes);
    }

    private static String format(List<Double> millis) {
        List<String> each = new ArrayList<>();
        millis.forEach(value -> each.add(String.format("%.1f", value)));
        return each.toString();
    }
}
