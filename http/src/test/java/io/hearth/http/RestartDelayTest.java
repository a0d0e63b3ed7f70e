package io.hearth.http;

import static io.hearth.http.RestartPolicy.Outcome.NEVER_STARTED;
import static io.hearth.http.RestartPolicy.Outcome.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How long the supervisor waits before replacing a worker that exited (RestartPolicy.nextDelay). */
class RestartDelayTest {
    private static final Duration QUICK = Duration.ofSeconds(2);
    private static final Duration FIRST = Duration.ofMillis(250);

    @Test
    void aWorkerThatKeepsDyingBeforeItIsWarmWaitsTwiceAsLongEachTimeUpToThirtySeconds() {
        Duration delay = Duration.ZERO;
        StringBuilder waits = new StringBuilder();
        for (int death = 0; death < 10; death++) {
            delay = RestartPolicy.nextDelay(delay, NEVER_STARTED, 1, QUICK);
            waits.append(delay.toMillis()).append(' ');
        }
        assertThat(waits.toString().trim()).isEqualTo("250 500 1000 2000 4000 8000 16000 30000 30000 30000");
    }

    @Test
    void aWorkerThatStoodByOrServedIsReplacedAfterTheFirstDelayHoweverOftenItDied() {
        assertThat(RestartPolicy.nextDelay(Duration.ofSeconds(16), STARTED, 1, QUICK)).isEqualTo(FIRST);
        assertThat(RestartPolicy.nextDelay(Duration.ofSeconds(30), STARTED, 134, QUICK)).isEqualTo(FIRST);
    }

    @Test
    void aWorkerKilledWithSigkillIsReplacedAfterTheFirstDelayEvenBeforeItWasWarm() {
        assertThat(RestartPolicy.nextDelay(Duration.ofSeconds(8), NEVER_STARTED, RestartPolicy.KILLED, QUICK)).isEqualTo(FIRST);
    }

    @Test
    void aWorkerThatLivedThirtySecondsStartsTheCountAgain() {
        assertThat(RestartPolicy.nextDelay(Duration.ofSeconds(30), NEVER_STARTED, 1, Duration.ofSeconds(30))).isEqualTo(FIRST);
        assertThat(RestartPolicy.nextDelay(Duration.ofSeconds(4), NEVER_STARTED, 1, Duration.ofSeconds(29))).isEqualTo(Duration.ofSeconds(8));
    }

    @Test
    void aWorkerThatCrashedByItselfBeforeItWasWarmStillBacksOff() {
        // SIGSEGV/SIGABRT (a JVM crash) come from the worker's own start: not the outside kill that resets the wait.
        assertThat(RestartPolicy.nextDelay(Duration.ofSeconds(1), NEVER_STARTED, 134, QUICK)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aReplacementWaitsWhileServingWorkersKeepDyingAndMoreThanHalfThePoolIsWarm() {
        long justNow = Duration.ofMillis(300).toNanos();
        long quietLongEnough = RestartPolicy.BURST_QUIET.toNanos();
        assertThat(RestartPolicy.deferRefill(40, 55, justNow)).as("40 of 55 warm, a death 300 ms ago").isTrue();
        assertThat(RestartPolicy.deferRefill(27, 55, justNow)).as("down to half").isFalse();
        assertThat(RestartPolicy.deferRefill(40, 55, quietLongEnough)).as("the burst is over").isFalse();
        assertThat(RestartPolicy.deferRefill(40, 55, Long.MAX_VALUE)).as("no serving worker ever died").isFalse();
        assertThat(RestartPolicy.deferRefill(0, 1, justNow)).as("the default single standby, used up").isFalse();
        assertThat(RestartPolicy.deferRefill(1, 1, justNow)).as("one standby is never held back").isFalse();
        assertThat(RestartPolicy.deferRefill(2, 3, justNow)).as("2 of 3 warm: too small a pool to hold back").isFalse();
        assertThat(RestartPolicy.deferRefill(3, 4, justNow)).as("3 of 4 warm").isTrue();
    }
}
