package io.hearth.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.hearth.spi.UpdateTurns;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The turn words in the store header, read and written as other processes would leave them. */
class UpdateTurnTableTest {
    private static final long OTHER_PID = 4_242;

    @TempDir
    Path dir;
    private MappedFile file;
    private UpdateTurnTable turns;

    @BeforeEach
    void mapAHeader() throws IOException {
        Path path = dir.resolve("header");
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            file = new MappedFile(path, channel.map(FileChannel.MapMode.READ_WRITE, 0, StoreHeader.LENGTH));
        }
        turns = new UpdateTurnTable(file, ProcessHandle.current().pid());
    }

    @Test
    void everyKeysTurnIsACacheLineOfTheHeaderAfterTheWordsBeforeIt() {
        Set<Integer> offsets = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            int offset = UpdateTurnTable.offsetOf("map-" + i % 7, "key-" + i);
            assertThat(offset % StoreHeader.CACHE_LINE).isZero();
            assertThat(offset).isGreaterThanOrEqualTo(StoreHeader.SWEEP_CURSOR_OFFSET + StoreHeader.CACHE_LINE)
                    .isLessThanOrEqualTo(StoreHeader.LENGTH - StoreHeader.CACHE_LINE);
            offsets.add(offset);
        }
        assertThat(offsets).hasSize(UpdateTurnTable.SLOTS);
    }

    @Test
    void aTurnAnotherProcessHoldsIsNotTakenAndATurnItLeftLongAgoIsClearedByTheNextWaiter() {
        int offset = UpdateTurnTable.offsetOf("m", "k");
        long fresh = word(System.currentTimeMillis(), OTHER_PID);
        file.setLongVolatile(offset, fresh);
        assertThat(turns.take("m", "k")).isEqualTo(UpdateTurns.NO_TURN);
        assertThat(file.getLongVolatile(offset)).isEqualTo(fresh);

        file.setLongVolatile(offset, word(System.currentTimeMillis() - 60_000, OTHER_PID)); // its taker died a minute ago
        turns.awaitTurn("m", "k");
        assertThat(file.getLongVolatile(offset)).isZero();
    }

    @Test
    void aTurnIsHeldUntilReleasedAndAReleaseAfterATakeOverLeavesTheNewTurn() {
        int offset = UpdateTurnTable.offsetOf("m", "k");
        long turn = turns.take("m", "k");
        assertThat(turn).isNotEqualTo(UpdateTurns.NO_TURN).isEqualTo(file.getLongVolatile(offset));
        assertThat(turns.holds("m", "k", turn)).isTrue();
        turns.release("m", "k", turn);
        assertThat(file.getLongVolatile(offset)).isZero();

        long mine = turns.take("m", "k");
        long theirs = word(System.currentTimeMillis(), OTHER_PID); // ours ran out and another process took it
        file.setLongVolatile(offset, theirs);
        assertThat(turns.holds("m", "k", mine)).isFalse();
        turns.release("m", "k", mine);
        assertThat(file.getLongVolatile(offset)).isEqualTo(theirs);
    }

    @Test
    void aTurnOlderThanTheBoundIsNoLongerHeldByItsTaker() {
        int offset = UpdateTurnTable.offsetOf("m", "k");
        long outlived = word(System.currentTimeMillis() - 10 * UpdateTurnTable.STALE_MILLIS, ProcessHandle.current().pid());
        file.setLongVolatile(offset, outlived);
        assertThat(turns.holds("m", "k", outlived)).isFalse();
    }

    @Test
    void aWaitEndsEvenWhileOtherProcessesTakeTheTurnOneAfterAnother() throws Exception {
        int offset = UpdateTurnTable.offsetOf("m", "k");
        file.setLongVolatile(offset, word(System.currentTimeMillis(), OTHER_PID));
        Thread takers = new Thread(() -> { // a fresh turn every 10 ms: never stale, never free
            for (long pid = OTHER_PID + 1; !Thread.currentThread().isInterrupted(); pid++) {
                file.setLongVolatile(offset, word(System.currentTimeMillis(), pid));
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
            }
        });
        takers.start();
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> turns.awaitTurn("m", "k"), "a wait with no bound");
            assertThat(file.getLongVolatile(offset)).as("still taken: the wait ended on its bound").isNotZero();
        } finally {
            takers.interrupt();
            takers.join();
        }
    }

    @Test
    void aThreadHoldingATurnDoesNotWaitForAnotherOneAsAnUpdateWithinAnUpdatesFunctionWouldNeedTo() {
        long held = turns.take("m", "outer");
        String inner = keyOfAnotherSlotThan("m", "outer");
        int innerOffset = UpdateTurnTable.offsetOf("m", inner);
        long theirs = word(System.currentTimeMillis(), OTHER_PID);
        file.setLongVolatile(innerOffset, theirs);
        turns.awaitTurn("m", inner); // returns at once: others wait on the outer turn, so its holder must not wait
        assertThat(file.getLongVolatile(innerOffset)).as("not cleared: it was not waited on").isEqualTo(theirs);
        turns.release("m", "outer", held);
    }

    private static String keyOfAnotherSlotThan(String map, String key) {
        for (int i = 0; ; i++) {
            if (UpdateTurnTable.offsetOf(map, "other-" + i) != UpdateTurnTable.offsetOf(map, key)) {
                return "other-" + i;
            }
        }
    }

    private static long word(long millis, long pid) {
        return millis << 22 | pid;
    }
}
