package io.hearth.file;

import io.hearth.StoreFullException;
import io.hearth.WorkerInfo;
import io.hearth.spi.Processes;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The worker table of the store file: one slot per attached store instance, claimed by
 * compare-and-set of its pid field.
 *
 * <pre>
 *   worker slots x {@link #SLOT_LENGTH} bytes, from {@link StoreLayout#workerTableOffset()}
 *   0 pid (long): 0 free, -pid while that process fills the slot in, pid once attached
 *   8 process start, clock ticks since boot   16 attached at, epoch ms   24 heartbeat, epoch ms   32 acked broadcast sequence
 * </pre>
 * A slot whose process is gone (pid dead, a zombie, or reused by a process that started later)
 * is freed by whoever notices. Only the operating system says a process is gone: a late heartbeat
 * never does, since a live process may be slow (a long broadcast handler, a pause, SIGSTOP) and
 * may still hold a map lock; treating it as dead would let a repair run under it.
 */
final class WorkerTable {
    static final int SLOT_LENGTH = 64;
    static final int PID = 0;
    static final int PROCESS_START = PID + Long.BYTES;
    static final int ATTACHED = PROCESS_START + Long.BYTES;
    static final int HEARTBEAT = ATTACHED + Long.BYTES;
    static final int ACKED = HEARTBEAT + Long.BYTES;

    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

    /** One row of the table as read at one instant. */
    record Slot(int offset, long pid, long processStart, long attached, long heartbeat, long acked) {
    }

    private final MappedFile file;
    private final StoreHeader header;
    private final int tableOffset;
    private final int slots;

    WorkerTable(StoreFile store) {
        this.file = store.mapped();
        this.header = store.header();
        this.tableOffset = Math.toIntExact(store.layout().workerTableOffset());
        this.slots = store.layout().workerSlots();
    }

    private int slotOffset(int slot) {
        return tableOffset + slot * SLOT_LENGTH;
    }

    /** Claims a slot for this process; returns its offset. */
    int attach(long pid, long processStart, long ackedSequence) {
        for (int attempt = 0; attempt < 2; attempt++) {
            for (int slot = 0; slot < slots; slot++) {
                int offset = slotOffset(slot);
                // Claimed as -pid while the fields are filled, then published as pid: a reader never
                // sees this pid beside the previous occupant's start time or heartbeat.
                if (file.getLongVolatile(offset + PID) == 0
                        && file.compareAndSetLong(offset + PID, 0, -pid)) {
                    long now = System.currentTimeMillis();
                    file.setLongVolatile(offset + PROCESS_START, processStart);
                    file.setLongVolatile(offset + ATTACHED, now);
                    file.setLongVolatile(offset + ACKED, ackedSequence);
                    file.setLongVolatile(offset + HEARTBEAT, now);
                    file.setLongRelease(offset + PID, pid);
                    return offset;
                }
            }
            live(); // frees the slots of dead processes, then try once more
        }
        throw new StoreFullException("no room to attach process " + pid + ": all " + slots
                + " worker slots hold live processes (maxWorkers=" + slots + ") in " + file.path());
    }

    void detach(int offset, long pid) {
        file.compareAndSetLong(offset + PID, pid, 0);
    }

    /** Beats only while the slot is still this process's: a freed slot may be someone else's by now. */
    void heartbeat(int offset, long pid) {
        if (holds(offset, pid)) {
            file.setLongRelease(offset + HEARTBEAT, System.currentTimeMillis());
        }
    }

    void ack(int offset, long pid, long sequence) {
        if (holds(offset, pid)) {
            file.setLongRelease(offset + ACKED, sequence);
        }
    }

    /** True when some process died while attached (now or earlier) and no attached process is alive: recovery may run. */
    boolean diedWithNoneLive() {
        boolean died = header.crashSeen();
        for (int slot = 0; slot < slots; slot++) {
            Slot read = read(slotOffset(slot));
            if (read.pid() == 0) {
                continue;
            }
            boolean alive = read.pid() < 0 ? Processes.isAlive(-read.pid()) : Processes.isAlive(read.pid(), read.processStart());
            if (alive) {
                return false;
            }
            died = true;
        }
        return died;
    }

    /** The live slots; frees the slots of dead processes on the way. */
    List<Slot> live() {
        List<Slot> live = new ArrayList<>();
        for (int slot = 0; slot < slots; slot++) {
            int offset = slotOffset(slot);
            Slot read = read(offset);
            if (read.pid() == 0) {
                continue;
            }
            if (read.pid() < 0) { // being claimed: not attached yet; freed if the claimer died mid-claim
                if (!Processes.isAlive(-read.pid())) {
                    file.compareAndSetLong(offset + PID, read.pid(), 0);
                }
                continue;
            }
            if (Processes.isAlive(read.pid(), read.processStart())) {
                live.add(read);
            } else if (file.compareAndSetLong(offset + PID, read.pid(), 0)) {
                // It may have died inside a map lock: the next open with nobody live repairs the map.
                header.markCrashSeen();
            }
        }
        return live;
    }

    Slot read(int offset) {
        return new Slot(offset,
                file.getLongAcquire(offset + PID),
                file.getLongAcquire(offset + PROCESS_START),
                file.getLongAcquire(offset + ATTACHED),
                file.getLongAcquire(offset + HEARTBEAT),
                file.getLongAcquire(offset + ACKED));
    }

    /** Whether the slot at offset still belongs to this attachment. */
    boolean holds(int offset, long pid) {
        return file.getLongAcquire(offset + PID) == pid;
    }

    static WorkerInfo info(Slot slot) {
        return new WorkerInfo(slot.pid(), Instant.ofEpochMilli(slot.attached()), Instant.ofEpochMilli(slot.heartbeat()));
    }
}
