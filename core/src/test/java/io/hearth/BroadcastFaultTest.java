package io.hearth;

import static org.assertj.core.api.Assertions.assertThat;

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
        Path path = dir.resolve("store.hearth");
        try (SharedStore store = SharedStore.open(path);
             FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            List<String> got = new CopyOnWriteArrayList<>();
            store.subscribe("t", message -> got.add(message.payload()));
            assertThat(store.broadcast("t", "before", Duration.ofSeconds(10)).complete()).isTrue();

            StoreFile raw = StoreFile.mapOrCreate(path, channel, null);
            long deadPid = deadProcessId();
            long sequence = raw.getLongVolatile(StoreFile.BROADCAST_TAIL_OFFSET) + 1;
            int slot = raw.broadcastSlotOffset(sequence);
            // What a sender killed after claiming its slot leaves: the claim, the tail moved, no message.
            raw.setLongVolatile(slot + StoreFile.BROADCAST_SEQUENCE, Broadcasts.claimMarker(deadPid, sequence));
            raw.setLongVolatile(StoreFile.BROADCAST_TAIL_OFFSET, sequence);

            // Within 3 s, well under the 5 s an unclaimed slot may wait: the dead writer is seen at once.
            BroadcastResult after = store.broadcast("t", "after", Duration.ofSeconds(3));

            assertThat(after.sequence()).isEqualTo(sequence + 1);
            assertThat(after.complete()).isTrue();
            assertThat(got).containsExactly("before", "after");
        }
    }

    private static long deadProcessId() throws IOException, InterruptedException {
        Process process = new ProcessBuilder("true").start();
        process.waitFor();
        return process.pid();
    }
}
