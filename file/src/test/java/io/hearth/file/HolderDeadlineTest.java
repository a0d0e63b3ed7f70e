package io.hearth.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The open lock's wait limit runs per holder: a queue of holders never passes it, one holder keeping the lock does. */
class HolderDeadlineTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void oneHolderKeepingTheLockOverTheLimitPassesItFromTheStartOfTheWait() {
        HolderDeadline deadline = new HolderDeadline(Duration.ofSeconds(2), 0);
        deadline.seen(41, SECOND / 5); // first seen a moment after the wait began: held since then, for all we know
        assertThat(deadline.passed(2 * SECOND)).isFalse();
        deadline.seen(41, 2 * SECOND);
        assertThat(deadline.passed(2 * SECOND + 1)).isTrue();
    }

    @Test
    void holdersTakingTheLockInTurnNeverPassItHoweverLongTheQueue() {
        HolderDeadline deadline = new HolderDeadline(Duration.ofSeconds(2), 0);
        for (int holder = 1; holder <= 20; holder++) {
            long now = holder * SECOND; // each holds it for a second: 20 s in all
            deadline.seen(holder, now);
            assertThat(deadline.passed(now + SECOND - 1)).as("waiting behind holder %d", holder).isFalse();
        }
        assertThat(deadline.passed(23 * SECOND)).as("the last holder, 3 s later").isTrue();
    }

    @Test
    void aHolderThatCannotBeToldLeavesTheLimitRunningFromTheLastOneKnown() {
        HolderDeadline deadline = new HolderDeadline(Duration.ofSeconds(2), 0);
        deadline.seen(HolderDeadline.UNKNOWN, SECOND);
        assertThat(deadline.passed(2 * SECOND + 1)).as("nothing known: the wait as a whole").isTrue();

        HolderDeadline known = new HolderDeadline(Duration.ofSeconds(2), 0);
        known.seen(7, SECOND);
        known.seen(8, 2 * SECOND);
        known.seen(HolderDeadline.UNKNOWN, 3 * SECOND);
        assertThat(known.passed(4 * SECOND - 1)).isFalse();
        assertThat(known.passed(4 * SECOND + 1)).as("2 s after holder 8 was first seen").isTrue();
    }
}
