package io.hearth.file;

import io.hearth.BroadcastMessage;
import io.hearth.StoreBusyException;
import io.hearth.spi.DeliveryLoop.Message;
import io.hearth.spi.DeliveryLoop.NotYet;
import io.hearth.spi.DeliveryLoop.Read;
import io.hearth.spi.DeliveryLoop.Skipped;
import io.hearth.spi.Processes;

import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The broadcast ring of the store file. A sender claims the slot of sequence {@code tail + 1} by
 * compare-and-set of the slot's sequence word to a marker holding its pid and the sequence, then
 * moves the tail (anyone who sees the marker helps move it), writes topic and payload, and
 * publishes with a release store of the sequence. So a slot below the tail always names the
 * process writing it, and a reader that finds that process dead skips the message at once.
 * Each attached process reads the ring in order and acknowledges by raising its acked sequence
 * in the worker table.
 *
 * <p>A reader copies a slot and then re-reads its sequence word (a seqlock), so a slot
 * overwritten while being copied is detected and counted as lost, never delivered torn. A sender
 * waits, up to {@link #SLOT_REUSE_WAIT}, for every live process to have acknowledged the message
 * it overwrites.
 *
 * <pre>
 *   broadcast slots x slot length, from {@link StoreLayout#broadcastRingOffset()}
 *   0 sequence (long): n once message n is complete; while it is written, a claim marker
 *     (sign bit | writer pid in bits 40..62 | n in bits 0..39)
 *   8 writer pid   16 sent at, epoch ms   24 topic length (int)   28 payload length (int)
 *  32 topic, UTF-8, up to {@link #MAX_TOPIC_BYTES} bytes   {@value #PAYLOAD} payload, UTF-8
 * </pre>
 */
final class BroadcastRing {
    static final int SEQUENCE = 0;
    static final int WRITER = SEQUENCE + Long.BYTES;
    static final int SENT = WRITER + Long.BYTES;
    static final int TOPIC_LENGTH = SENT + Long.BYTES;
    static final int PAYLOAD_LENGTH = TOPIC_LENGTH + Integer.BYTES;
    static final int TOPIC = PAYLOAD_LENGTH + Integer.BYTES;
    static final int PAYLOAD = 128;
    static final int MAX_TOPIC_BYTES = PAYLOAD - TOPIC;

    static final Duration SLOT_REUSE_WAIT = Duration.ofSeconds(1);
    private static final Duration DEAD_WRITER_CHECK = Duration.ofMillis(20);
    /** A slot below the tail is always claimed; this only guards against a broken invariant. */
    private static final Duration UNCLAIMED_WAIT = Duration.ofSeconds(5);
    /** A claimed slot's word: sign bit, pid in bits 40..62, sequence in bits 0..39. */
    private static final long SEQUENCE_BITS = (1L << 40) - 1;

    private final MappedFile file;
    private final StoreHeader header;
    private final WorkerTable workers;
    private final int ringOffset;
    private final int slots;
    private final int slotLength;
    private final int maxPayloadBytes;

    BroadcastRing(StoreFile store, WorkerTable workers) {
        this.file = store.mapped();
        this.header = store.header();
        this.workers = workers;
        this.ringOffset = Math.toIntExact(store.layout().broadcastRingOffset());
        this.slots = store.layout().broadcastSlots();
        this.slotLength = store.layout().broadcastSlotLength();
        this.maxPayloadBytes = store.layout().maxPayloadBytes();
    }

    int slotOffset(long sequence) {
        return ringOffset + (int) ((sequence - 1) % slots) * slotLength;
    }

    /** The newest sequence handed out; a new reader starts after it. */
    long tail() {
        return header.broadcastTail();
    }

    static long claimMarker(long pid, long sequence) {
        return Long.MIN_VALUE | (pid << 40) | sequence;
    }

    /** The sequence a slot word stands for, published or claimed. */
    static long sequenceOf(long word) {
        return word < 0 ? word & SEQUENCE_BITS : word;
    }

    static long writerOf(long word) {
        return (word & Long.MAX_VALUE) >>> 40;
    }

    /** Writes a message and returns its sequence. Topic and payload are already checked. */
    long publish(byte[] topic, byte[] payload, long senderPid) {
        while (true) {
            long tail = tail();
            long sequence = tail + 1;
            int slot = slotOffset(sequence);
            long word = file.getLongVolatile(slot + SEQUENCE);
            if (sequenceOf(word) >= sequence) {
                // Claimed by another sender that has not moved the tail yet: move it for them.
                header.compareAndSetBroadcastTail(tail, sequence);
                continue;
            }
            awaitSlotFree(sequence - slots);
            if (word < 0 && !awaitWriterDone(slot, word)) {
                continue; // the slot changed while we waited: read it again
            }
            if (!file.compareAndSetLong(slot + SEQUENCE, word, claimMarker(senderPid, sequence))) {
                continue;
            }
            header.compareAndSetBroadcastTail(tail, sequence);
            VarHandle.storeStoreFence(); // readers must see the claim before any byte of the new message
            file.setLongVolatile(slot + WRITER, senderPid);
            file.setLongVolatile(slot + SENT, System.currentTimeMillis());
            file.setIntPlain(slot + TOPIC_LENGTH, topic.length);
            file.setIntPlain(slot + PAYLOAD_LENGTH, payload.length);
            file.putBytes(slot + TOPIC, topic);
            file.putBytes(slot + PAYLOAD, payload);
            // A compare-and-set, not a store: should our claim have been taken over (we were judged
            // dead), the sequence word must not go backwards.
            file.compareAndSetLong(slot + SEQUENCE, claimMarker(senderPid, sequence), sequence);
            return sequence;
        }
    }

    /**
     * A slot still claimed by an earlier writer is never taken from a live one (its bytes would mix
     * with ours): wait for it to publish. A dead writer's claim is taken over at once.
     *
     * @return true when the claim is still the one seen and may be replaced; false when the slot changed
     */
    private boolean awaitWriterDone(int slot, long claim) {
        long deadline = System.nanoTime() + UNCLAIMED_WAIT.toNanos();
        while (file.getLongVolatile(slot + SEQUENCE) == claim) {
            if (!Processes.isAlive(writerOf(claim))) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new StoreBusyException("cannot broadcast: process " + writerOf(claim) + " has held broadcast slot "
                        + sequenceOf(claim) + " for over " + UNCLAIMED_WAIT + " without finishing its message");
            }
            LockSupport.parkNanos(1_000_000);
        }
        return false;
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
            LockSupport.parkNanos(1_000_000);
        }
    }

    /**
     * Reads message {@code sequence}, which the reader has not seen yet and which is at or below the tail.
     *
     * @param waitingSinceNanos when this reader first found the message unpublished, or 0
     */
    Read read(long sequence, long waitingSinceNanos) {
        int slot = slotOffset(sequence);
        long word = file.getLongAcquire(slot + SEQUENCE);
        if (word == sequence) {
            long writer = file.getLongVolatile(slot + WRITER);
            long sent = file.getLongVolatile(slot + SENT);
            int topicLength = file.getIntPlain(slot + TOPIC_LENGTH);
            int payloadLength = file.getIntPlain(slot + PAYLOAD_LENGTH);
            if (topicLength < 0 || topicLength > MAX_TOPIC_BYTES || payloadLength < 0 || payloadLength > maxPayloadBytes) {
                return recheck(slot, sequence);
            }
            byte[] topic = file.getBytes(slot + TOPIC, topicLength);
            byte[] payload = file.getBytes(slot + PAYLOAD, payloadLength);
            VarHandle.acquireFence();
            if (file.getLongVolatile(slot + SEQUENCE) != sequence) {
                return new Skipped("message " + sequence + " was overwritten while it was read");
            }
            return new Message(new BroadcastMessage(new String(topic, StandardCharsets.UTF_8),
                    new String(payload, StandardCharsets.UTF_8), sequence, writer, Instant.ofEpochMilli(sent)));
        }
        if (sequenceOf(word) > sequence) {
            return new Skipped("message " + sequence + " was overwritten by " + sequenceOf(word) + " before it was read");
        }
        if (word < 0 && sequenceOf(word) == sequence && waitingSinceNanos != 0
                && System.nanoTime() - waitingSinceNanos > DEAD_WRITER_CHECK.toNanos()
                && !Processes.isAlive(writerOf(word))) {
            return new Skipped("process " + writerOf(word) + " died while writing message " + sequence);
        }
        if (sequenceOf(word) < sequence && waitingSinceNanos != 0 && System.nanoTime() - waitingSinceNanos > UNCLAIMED_WAIT.toNanos()) {
            return new Skipped("message " + sequence + " is below the tail but its slot was never claimed");
        }
        return new NotYet();
    }

    /** Adds a line to problems for each slot of the ring that cannot hold what the tail says. */
    void check(List<String> problems) {
        long tail = tail();
        for (long sequence = Math.max(1, tail - slots + 1); sequence <= tail; sequence++) {
            int slot = slotOffset(sequence);
            long word = file.getLongVolatile(slot + SEQUENCE);
            if (word == sequence) {
                int topicLength = file.getIntPlain(slot + TOPIC_LENGTH);
                int payloadLength = file.getIntPlain(slot + PAYLOAD_LENGTH);
                if (topicLength < 1 || topicLength > MAX_TOPIC_BYTES || payloadLength < 0 || payloadLength > maxPayloadBytes) {
                    problems.add("broadcast " + sequence + " has topic length " + topicLength + " and payload length " + payloadLength);
                }
            } else if (word < 0 && sequenceOf(word) == sequence && !Processes.isAlive(writerOf(word))) {
                problems.add("broadcast " + sequence + " was left half-written by process " + writerOf(word)
                        + ", which is dead (readers skip it)");
            } else if (sequenceOf(word) < sequence) {
                problems.add("broadcast " + sequence + " is below the tail " + tail + " but its slot holds " + sequenceOf(word));
            }
        }
    }

    private Read recheck(int slot, long sequence) {
        return file.getLongVolatile(slot + SEQUENCE) == sequence
                ? new Skipped("message " + sequence + " has a corrupt length")
                : new Skipped("message " + sequence + " was overwritten while it was read");
    }
}
