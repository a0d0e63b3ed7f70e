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
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's measurement, in one run on one machine: the same chaos (a serving process killed with
 * SIGKILL every 400 ms for 20 s, 16 clients, a new connection per request) first against the seed's
 * accepted answer (FastAPI and Redis under gunicorn, 3 uvicorn workers: {@link SeedPeer}), then
 * against Hearth (3 workers and {@code hearth.chaos.standbys} warm standbys under the supervisor).
 * It checks Hearth's counts as {@link ChaosKillTest} does, prints both runs and the ratio of
 * acknowledged requests, and then holds Hearth to issue 13's goal: at least 0.9x the seed's
 * acknowledged requests, with no acknowledged request over 1 s.
 *
 * <p>Only when asked, as a benchmark is: {@code -Dhearth.chaos.compare=true} (http/README.md has
 * the command and the figures). {@code mvn verify} does not run it: it takes about three minutes of
 * both cores and, with the 55 standbys a 20 s burst at this rate needs, about 7 GiB; on a 2-core
 * machine it met the goal in about one run of three (the JVM start arithmetic in http/README.md).
 */
@EnabledIfSystemProperty(named = "hearth.chaos.compare", matches = "true")
class ChaosAgainstTheSeedTest {
    private static final int WORKERS = 3;
    private static final int STANDBYS = Integer.getInteger("hearth.chaos.standbys", 55);
    private static final ChaosRun.Settings SETTINGS = new ChaosRun.Settings(WORKERS, 16,
            Duration.ofMillis(Integer.getInteger("hearth.chaos.killEveryMillis", 400)),
            Duration.ofSeconds(Integer.getInteger("hearth.chaos.seconds", 20)));
    private static final Duration STARTUP = Duration.ofMinutes(4);
    private static final double GOAL = 0.9;
    private static final double WORST_ACKNOWLEDGED_MILLIS = 1000;

    @TempDir
    Path dir;

    private final List<ChildJvm> started = new ArrayList<>();

    @AfterEach
    void killWhatIsLeft() {
        started.forEach(ChildJvm::close);
    }

    @Test
    void theSameChaosAgainstTheSeedsAnswerAndAgainstHearthAcknowledgesAtLeastNineTenthsAsMany() throws Exception {
        ChaosRun.Result seed;
        long seedCount;
        try (SeedPeer peer = SeedPeer.start(WORKERS, dir)) {
            try (ChaosRun chaos = new ChaosRun(peer.port(), peer::workers, SETTINGS)) {
                seed = chaos.run(STARTUP);
            }
            seedCount = ChaosRun.finalCount(peer.port(), STARTUP);
        }
        System.out.println(seed.summary("seed (FastAPI + Redis, gunicorn)", seedCount));
        seed.details().forEach(line -> System.out.println("chaos seed: " + line));

        Path store = dir.resolve("chaos.store");
        int port = Ports.freeLoopbackPort();
        ChildJvm supervisor = SupervisorProcess.startWithStandbys(WORKERS, STANDBYS, port, store);
        started.add(supervisor);
        SupervisorProcess.awaitStandbysWarm(supervisor, STARTUP);
        ChaosRun.Result hearth;
        try (ChaosRun chaos = new ChaosRun(port, supervisor::descendants, SETTINGS)) {
            hearth = chaos.run(STARTUP);
        }
        long count = ChaosRun.finalCount(port, STARTUP);
        String summary = hearth.summary("hearth, " + STANDBYS + " standbys", count);
        System.out.println(summary);
        hearth.details().forEach(line -> System.out.println("chaos hearth: " + line));
        double ratio = seed.tally().acked == 0 ? Double.POSITIVE_INFINITY : (double) hearth.tally().acked / seed.tally().acked;
        String comparison = String.format("chaos: hearth acknowledged %.2fx the seed's (%d against %d; goal %.1fx); worst"
                        + " acknowledged %.1f ms against %.1f ms (goal under %.0f ms)", ratio, hearth.tally().acked,
                seed.tally().acked, GOAL, hearth.tally().worstMillis(), seed.tally().worstMillis(), WORST_ACKNOWLEDGED_MILLIS);
        System.out.println(comparison);

        ChaosRun.Tally tally = hearth.tally();
        assertThat(count).as("acked <= C <= sent; %s", summary).isBetween(tally.acked, tally.sent);
        assertThat(tally.duplicateCounts()).as("counts answered to two acknowledged increments; %s", summary).isEmpty();
        supervisor.terminate();
        assertThat(supervisor.awaitExit(Duration.ofMinutes(2))).as("the supervisor's exit status after SIGTERM").isZero();
        assertThat(StoreCheck.run(store).problems()).as("problems StoreCheck found in %s", store).isEmpty();
        assertThat(hearth.kills()).as("serving workers killed; %s", summary).isGreaterThanOrEqualTo(30);
        assertThat(ratio).as(comparison).isGreaterThanOrEqualTo(GOAL);
        assertThat(tally.worstMillis()).as(comparison).isLessThan(WORST_ACKNOWLEDGED_MILLIS);
    }
}
