package io.hearth.file;

import io.hearth.BroadcastResult;
import io.hearth.HearthException;
import io.hearth.SharedStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broadcast state left behind by a process killed mid-send, faked in the file. */
class BroadcastFaultTest {
    @TempDir
    Path dir;

    @Test
    void aBroadcastLeftHalfWrittenByADeadProcessIsSkippedAndTheNextOneStillArrives() throws Exception {
        Path path = dir.resolve("store.store");
        try (SharedStore store = SharedStore.open(path);
             FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            List<String> got = new CopyOnWriteArrayList<>();
            store.subscribe("t", message -> got.add(message.payload()));
            assertThat(store.broadcast("t", "before", Duration.ofSeconds(10)).complete()).isTrue();

            StoreFile raw = StoreFile.mapExisting(path, channel);
            BroadcastRing ring = new BroadcastRing(raw, new WorkerTable(raw));
            long deadPid = deadProcessId();
            long sequence = raw.header().broadcastTail() + 1;
            int slot = ring.slotOffset(sequence);
            // What a sender killed after claiming its slot leaves: the claim, the tail moved, no message.
            raw.mapped().setLongVolatile(slot + BroadcastRing.SEQUENCE, BroadcastRing.claimMarker(deadPid, sequence));
            raw.mapped().setLongVolatile(StoreHeader.BROADCAST_TAIL_OFFSET, sequence);

            // Within 3 s, well under the 5 s an unclaimed slot may wait: the dead writer is seen at once.
            BroadcastResult after = store.broadcast("t", "after", Duration.ofSeconds(3));

            assertThat(after.sequence()).isEqualTo(sequence + 1);
            assertThat(after.complete()).isTrue();
            assertThat(got).containsExactly("before", "after");
        }
    }

    @Test
    void aSlotStillBeingWrittenByALiveProcessIsNeverTakenFromItButADeadOnesIs() throws Exception {
        Path path = dir.resolve("store.store");
        Process writer = new ProcessBuilder("sleep", "60").start(); // stands in for a stalled, live sender
        try (SharedStore store = SharedStore.open(path);
             FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            List<String> got = new CopyOnWriteArrayList<>();
            store.subscribe("t", message -> got.add(message.payload()));
            for (int i = 1; i < 64; i++) {
                store.broadcast("t", "m" + i, Duration.ZERO);
            }
            assertThat(store.broadcast("t", "m64", Duration.ofSeconds(10)).complete()).isTrue(); // the ring is full
            StoreFile raw = StoreFile.mapExisting(path, channel);
            int slot = new BroadcastRing(raw, new WorkerTable(raw)).slotOffset(65); // the slot of message 1, which the next message reuses
            long stalledClaim = BroadcastRing.claimMarker(writer.pid(), 1);
            raw.mapped().setLongVolatile(slot + BroadcastRing.SEQUENCE, stalledClaim);

            HearthException refused = catchThrowableOfType(HearthException.class, () -> store.broadcast("t", "x", Duration.ZERO));

            assertThat(refused).hasMessageContaining("process " + writer.pid());
            assertThat(raw.mapped().getLongVolatile(slot + BroadcastRing.SEQUENCE)).as("the live claim is untouched").isEqualTo(stalledClaim);
            writer.destroyForcibly().waitFor();
            BroadcastResult after = store.broadcast("t", "after", Duration.ofSeconds(10));
            assertThat(after.complete()).isTrue();
            assertThat(got).endsWith("m64", "after");
        } finally {
            writer.destroyForcibly();
        }
    }

    private static long deadProcessId() throws IOException, InterruptedException {
        Process process = new ProcessBuilder("true").start();
        process.waitFor();
        return process.pid();
    }
}
