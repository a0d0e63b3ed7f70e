package io.hearth;

import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

/**
 * The broadcast ring of the store file. A sender takes the next sequence number from the tail
 * with one atomic add, marks its slot {@code -sequence}, writes topic and payload, and publishes
 * by a release store of {@code sequence}. Each attached process reads the ring in order and
 * acknowledges by raising its acked sequence in the worker table.
 *
 * <p>A reader copies a slot and then re-reads its sequence (a seqlock), so a slot overwritten
 * while being copied is detected and counted as lost, never delivered torn. A sender waits, up to
 * {@link #SLOT_REUSE_WAIT}, for every live process to have acknowledged the message it overwrites.
 */
final class Broadcasts {
    static final Duration SLOT_REUSE_WAIT = Duration.ofSeconds(1);
    /** How long a reader waits on a claimed, unpublished slot before deciding its writer is gone. */
    static final Duration UNPUBLISHED_WAIT = Duration.ofSeconds(5);
    private static final Duration DEAD_WRITER_CHECK = Duration.ofMillis(20);

    /** What a reader found at the next sequence. */
    sealed interface Read permits Message, NotYet, Skipped {
    }

    record Message(BroadcastMessage message) implements Read {
    }

    record NotYet() implements Read {
    }

    /** The message can never be read: overwritten before this reader got to it, or its writer died. */
    record Skipped(String why) implements Read {
    }

    private final StoreFile file;
    private final Workers workers;
    private final int slots;

    Broadcasts(StoreFile file, Workers workers) {
        this.file = file;
        this.workers = workers;
        this.slots = file.layout().broadcastSlots();
    }

    int maxPayloadBytes() {
        return file.layout().maxPayloadBytes();
    }

    /** The newest sequence handed out; a new reader starts after it. */
    long tail() {
        return file.getLongVolatile(StoreFile.BROADCAST_TAIL_OFFSET);
    }

    /** Writes a message and returns its sequence. Topic and payload are already checked. */
    long publish(byte[] topic, byte[] payload, long senderPid) {
        long sequence = file.getAndAddLong(StoreFile.BROADCAST_TAIL_OFFSET, 1) + 1;
        awaitSlotFree(sequence - slots);
        int slot = file.broadcastSlotOffset(sequence);
        file.setLongVolatile(slot + StoreFile.BROADCAST_WRITER, senderPid);
        file.setLongVolatile(slot + StoreFile.BROADCAST_SEQUENCE, -sequence);
        VarHandle.storeStoreFence(); // readers must see the marker before any byte of the new message
        file.setLongVolatile(slot + StoreFile.BROADCAST_SENT, System.currentTimeMillis());
        file.setIntPlain(slot + StoreFile.BROADCAST_TOPIC_LENGTH, topic.length);
        file.setIntPlain(slot + StoreFile.BROADCAST_PAYLOAD_LENGTH, payload.length);
        file.putBytes(slot + StoreFile.BROADCAST_TOPIC, topic);
        file.putBytes(slot + StoreFile.BROADCAST_PAYLOAD, payload);
        file.setLongRelease(slot + StoreFile.BROADCAST_SEQUENCE, sequence);
        return sequence;
    }

    /** Waits, bounded, until every live process has acknowledged the message this slot held before. */
    private void awaitSlotFree(long previous) {
        if (previous <= 0) {
            return;
        }
        long deadline = System.nanoTime() + SLOT_REUSE_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (workers.live().stream().allMatch(w -> w.acked() >= previous)) {
                return;
            }
            LockSupport.parkNanos(100_000);
        }
    }

    /**
     * Reads message {@code sequence}, which the reader has not seen yet.
     *
     * @param waitingSinceNanos when this reader first found the slot unpublished, or 0
     */
    Read read(long sequence, long waitingSinceNanos) {
        int slot = file.broadcastSlotOffset(sequence);
        long seen = file.getLongAcquire(slot + StoreFile.BROADCAST_SEQUENCE);
        if (seen == sequence) {
            long writer = file.getLongVolatile(slot + StoreFile.BROADCAST_WRITER);
            long sent = file.getLongVolatile(slot + StoreFile.BROADCAST_SENT);
            int topicLength = file.getIntPlain(slot + StoreFile.BROADCAST_TOPIC_LENGTH);
            int payloadLength = file.getIntPlain(slot + StoreFile.BROADCAST_PAYLOAD_LENGTH);
            if (topicLength < 0 || topicLength > StoreFile.MAX_TOPIC_BYTES || payloadLength < 0 || payloadLength > maxPayloadBytes()) {
                return recheck(slot, sequence);
            }
            byte[] topic = file.getBytes(slot + StoreFile.BROADCAST_TOPIC, topicLength);
            byte[] payload = file.getBytes(slot + StoreFile.BROADCAST_PAYLOAD, payloadLength);
            VarHandle.acquireFence();
            if (file.getLongVolatile(slot + StoreFile.BROADCAST_SEQUENCE) != sequence) {
                return new Skipped("message " + sequence + " was overwritten while it was read");
            }
            return new Message(new BroadcastMessage(new String(topic, StandardCharsets.UTF_8),
                    new String(payload, StandardCharsets.UTF_8), sequence, writer, Instant.ofEpochMilli(sent)));
        }
        if (Math.abs(seen) > sequence) {
            return new Skipped("message " + sequence + " was overwritten by " + Math.abs(seen) + " before it was read");
        }
        long waited = waitingSinceNanos == 0 ? 0 : System.nanoTime() - waitingSinceNanos;
        if (seen == -sequence && waited > DEAD_WRITER_CHECK.toNanos()
                && !Processes.isAlive(file.getLongVolatile(slot + StoreFile.BROADCAST_WRITER))) {
            return new Skipped("the writer of message " + sequence + " died while writing it");
        }
        if (waited > UNPUBLISHED_WAIT.toNanos()) {
            return new Skipped("message " + sequence + " was not published within " + UNPUBLISHED_WAIT);
        }
        return new NotYet();
    }

    private Read recheck(int slot, long sequence) {
        return file.getLongVolatile(slot + StoreFile.BROADCAST_SEQUENCE) == sequence
                ? new Skipped("message " + sequence + " has a corrupt length")
                : new Skipped("message " + sequence + " was overwritten while it was read");
    }
}
