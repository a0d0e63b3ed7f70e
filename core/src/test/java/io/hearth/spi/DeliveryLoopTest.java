package io.hearth.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.BroadcastMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * How the loop counts idle rounds, which is what a backend's wait grows with: up to 1,000 when
 * nothing comes (so a long-idle process may look rarely), but no more than 30 while a message it
 * has seen is not readable yet (so a half-written or dead writer's message is resolved as quickly
 * as before), and back to 0 once something is delivered. A source that waits 0 makes rounds fast.
 */
class DeliveryLoopTest {
    /** A log whose only message, sequence 1, appears when asked and reads as not yet written until told. */
    private static final class ScriptedSource implements DeliveryLoop.Source {
        final List<Integer> roundsAsked = new CopyOnWriteArrayList<>();
        final AtomicLong newest = new AtomicLong();
        volatile boolean readable;
        final AtomicInteger notYetReads = new AtomicInteger();
        final CountDownLatch askedAtLeast;
        final int threshold;

        ScriptedSource(int threshold) {
            this.threshold = threshold;
            this.askedAtLeast = new CountDownLatch(1);
        }

        @Override
        public long newest() {
            return newest.get();
        }

        @Override
        public DeliveryLoop.Read read(long sequence, long waitingSinceNanos) {
            if (!readable) {
                notYetReads.incrementAndGet();
                return new DeliveryLoop.NotYet();
            }
            return new DeliveryLoop.Message(new BroadcastMessage("t", "{}", sequence, 1, Instant.EPOCH));
        }

        @Override
        public void acknowledge(long sequence) {
        }

        @Override
        public Duration idleWait(int idleRounds) {
            roundsAsked.add(idleRounds);
            if (idleRounds >= threshold) {
                askedAtLeast.countDown();
            }
            return Duration.ZERO;
        }

        int most() {
            return roundsAsked.stream().mapToInt(Integer::intValue).max().orElse(-1);
        }
    }

    @Test
    void aQuietLogCountsIdleRoundsUpToAThousandAndNoFurther() throws Exception {
        ScriptedSource source = new ScriptedSource(1_000);
        try (DeliveryLoop loop = DeliveryLoop.start("quiet", source, 0, message -> { })) {
            assertThat(source.askedAtLeast.await(30, TimeUnit.SECONDS)).as("asked with 1,000 idle rounds").isTrue();
            Thread.sleep(50); // more rounds at the cap
        }
        assertThat(source.roundsAsked.size()).as("rounds asked").isGreaterThan(1_000);
        assertThat(source.most()).as("the most idle rounds asked").isEqualTo(1_000);
    }

    @Test
    void aMessageNotReadableYetKeepsTheCountAtThirtyAndDeliveringItStartsAgainAtZero() throws Exception {
        ScriptedSource source = new ScriptedSource(1_000);
        List<BroadcastMessage> delivered = new CopyOnWriteArrayList<>();
        try (DeliveryLoop loop = DeliveryLoop.start("waiting", source, 0, delivered::add)) {
            assertThat(source.askedAtLeast.await(30, TimeUnit.SECONDS)).as("quiet long enough to reach the cap").isTrue();
            source.newest.set(1); // the message appears, half-written
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (source.notYetReads.get() < 200 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            int roundsBeforeWaiting = source.roundsAsked.size();
            Thread.sleep(20);
            List<Integer> whileWaiting = List.copyOf(source.roundsAsked.subList(roundsBeforeWaiting, source.roundsAsked.size()));
            source.readable = true;
            while (delivered.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            Thread.sleep(20);
            assertThat(whileWaiting).as("idle rounds asked while the message was not readable").isNotEmpty()
                    .allSatisfy(rounds -> assertThat(rounds).isLessThanOrEqualTo(30));
            assertThat(delivered).extracting(BroadcastMessage::sequence).containsExactly(1L);
            assertThat(source.roundsAsked).as("rounds asked, once delivered").contains(0);
        }
    }
}
