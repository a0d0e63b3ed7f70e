package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.StoreCheck;
import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.Ports;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos test (issues 6 and 13): 3 workers and 5 standbys under a real supervisor process
 * (started as run-workers.sh starts it), 16 clients sending {@code POST /increment} on one counter,
 * each request on a new connection, while a random <em>serving</em> worker (one the kernel lists as
 * listening on the port) is killed with SIGKILL every 3 s for 21 s. Availability: every tick finds a
 * worker serving, no connection is ever refused, no request times out or is answered other than 2xx:
 * the only failures are connections reset by a killed worker (those it had taken, or that the kernel
 * had queued on its socket until its exit closed it). Correctness: none
 * acknowledged is lost or counted twice; the store comes back with the same count after a graceful
 * restart and passes the full integrity check. Latencies are reported, not asserted.
 *
 * <p>Every 3 s, not the 400 ms of issue 13: each kill costs a new standby a JVM start, and this
 * 2-core machine cannot start 2.5 a second beside the load (http/README.md, the arithmetic). Five
 * standbys, so that the 3 + 5 processes outlast the 7 kills even when no replacement gets warm in
 * time: under this load a replacement got a quarter of a core and took 12 to 17 s from spawn to
 * warm (2026-12-03), and with 3 standbys the port went dark in 4 of 6 runs (one of them in CI):
 * the 6 processes are used up by the sixth kill, 18 s in, unless the first replacement is warm by
 * then. Replacements getting warm is what StandbysTest checks.
 * {@code -Dhearth.chaos.killEveryMillis=400 -Dhearth.chaos.standbys=K -Dhearth.chaos.seconds=S}
 * runs other rates; at 400 ms the availability assertions fail once the standbys are used up, and
 * the printed line says by how much.
 */
class ChaosKillTest {
    private static final int WORKERS = 3;
    private static final int STANDBYS = Integer.getInteger("hearth.chaos.standbys", 5);
    private static final ChaosRun.Settings SETTINGS = new ChaosRun.Settings(WORKERS, 16,
            Duration.ofMillis(Integer.getInteger("hearth.chaos.killEveryMillis", 3000)),
            Duration.ofSeconds(Integer.getInteger("hearth.chaos.seconds", 21)));
    private static final Duration STARTUP = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    private final List<ChildJvm> started = new ArrayList<>();

    @AfterEach
    void killWhatIsLeft() {
        started.forEach(ChildJvm::close);
    }

    @Test
    void servingWorkersKilledUnderLoadAreReplacedByStandbysWithNoConnectionRefusedAndNoAcknowledgedIncrementLost() throws Exception {
        Path store = dir.resolve("chaos.store");
        int port = Ports.freeLoopbackPort();
        ChildJvm supervisor = start(port, store);
        SupervisorProcess.awaitStandbysWarm(supervisor, STARTUP);

        ChaosRun.Result result;
        try (ChaosRun chaos = new ChaosRun(port, supervisor::descendants, SETTINGS)) {
            result = chaos.run(STARTUP);
        }
        long count = ChaosRun.finalCount(port, STARTUP);
        ChaosRun.Tally tally = result.tally();
        String summary = result.summary("hearth, " + STANDBYS + " standbys", count);
        System.out.println(summary);
        result.details().forEach(line -> System.out.println("chaos: " + line));

        assertThat(count).as("acked <= C <= sent; %s", summary).isBetween(tally.acked, tally.sent);
        assertThat(tally.duplicateCounts()).as("counts answered to two acknowledged increments; %s", summary).isEmpty();
        assertThat(tally.highestCount).as("highest count acknowledged <= C; %s", summary).isLessThanOrEqualTo(count);
        assertThat(result.waited()).as("ticks that found no worker serving; %s", summary).isZero();
        assertThat(result.kills()).as("serving workers killed; %s", summary).isGreaterThanOrEqualTo((int) SETTINGS.ticks());
        assertThat(tally.refused).as("refused connections; %s", summary).isZero();
        // The failed requests are connections reset by killed workers (reported as broken), never an answer.
        assertThat(tally.otherStatus).as("answers other than 2xx; %s", summary).isEmpty();
        assertThat(tally.timedOut).as("requests that got no answer in time; %s", summary).isZero();

        supervisor.terminate();
        assertThat(supervisor.awaitExit(Duration.ofMinutes(2))).as("the supervisor's exit status after SIGTERM").isZero();

        ChildJvm again = start(port, store);
        String ready = again.awaitLine(SupervisorCommand.READY_LINE, STARTUP);
        assertThat(WorkerProbes.reportFromEveryWorker(port, WorkerProbes.readyPids(ready)).values())
                .as("each restarted worker's /report").containsOnly(count);
        again.terminate();
        assertThat(again.awaitExit(Duration.ofMinutes(2))).as("the second supervisor's exit status after SIGTERM").isZero();

        StoreCheck.Report check = StoreCheck.run(store);
        System.out.println("chaos: store check: " + check.entries() + " entries, " + check.counters() + " counters, problems "
                + check.problems());
        assertThat(check.problems()).as("problems StoreCheck found in %s", store).isEmpty();
    }

    private ChildJvm start(int port, Path store) {
        ChildJvm supervisor = SupervisorProcess.startWithStandbys(WORKERS, STANDBYS, port, store);
        started.add(supervisor);
        return supervisor;
    }
}
