package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How long the supervisor waits before replacing a worker that exited (Supervisor.restartDelay). */
class RestartDelayTest {
    private static final Duration QUICK = Duration.ofSeconds(2);
    private static final Duration FIRST = Duration.ofMillis(250);

    @Test
    void aWorkerThatKeepsDyingBeforeItServesWaitsTwiceAsLongEachTimeUpToThirtySeconds() {
        Duration delay = Duration.ZERO;
        StringBuilder waits = new StringBuilder();
        for (int death = 0; death < 10; death++) {
            delay = Supervisor.restartDelay(delay, false, 1, QUICK);
            waits.append(delay.toMillis()).append(' ');
        }
        assertThat(waits.toString().trim()).isEqualTo("250 500 1000 2000 4000 8000 16000 30000 30000 30000");
    }

    @Test
    void aWorkerThatServedIsReplacedAfterTheFirstDelayHoweverOftenItDied() {
        assertThat(Supervisor.restartDelay(Duration.ofSeconds(16), true, 1, QUICK)).isEqualTo(FIRST);
        assertThat(Supervisor.restartDelay(Duration.ofSeconds(30), true, 134, QUICK)).isEqualTo(FIRST);
    }

    @Test
    void aWorkerKilledWithSigkillIsReplacedAfterTheFirstDelayEvenBeforeItServed() {
        assertThat(Supervisor.restartDelay(Duration.ofSeconds(8), false, Supervisor.KILLED, QUICK)).isEqualTo(FIRST);
    }

    @Test
    void aWorkerThatLivedThirtySecondsStartsTheCountAgain() {
        assertThat(Supervisor.restartDelay(Duration.ofSeconds(30), false, 1, Duration.ofSeconds(30))).isEqualTo(FIRST);
        assertThat(Supervisor.restartDelay(Duration.ofSeconds(4), false, 1, Duration.ofSeconds(29))).isEqualTo(Duration.ofSeconds(8));
    }

    @Test
    void aWorkerThatCrashedByItselfBeforeServingStillBacksOff() {
        // SIGSEGV/SIGABRT (a JVM crash) come from the worker's own start: not the outside kill that resets the wait.
        assertThat(Supervisor.restartDelay(Duration.ofSeconds(1), false, 134, QUICK)).isEqualTo(Duration.ofSeconds(2));
    }
}
