package io.hearth.redis;

import static io.hearth.redis.RedisCalls.bytes;
import static io.hearth.redis.RedisCalls.string;

import io.hearth.HearthException;
import io.hearth.WorkerInfo;
import io.hearth.spi.Processes;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The worker registry as this store sees it: this process is one worker with a random id, which
 * beats every {@link #HEARTBEAT_INTERVAL}; the registry drops a worker whose beat is older than
 * {@link #WORKER_EXPIRY}, and a worker of this host (same host name and boot id) whose process is
 * gone at once. Registering also reads the store's epoch, which tells when Redis lost the data.
 * Thread-safe.
 */
final class RedisWorkers {
    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    static final Duration WORKER_EXPIRY = Duration.ofSeconds(10);
    private static final System.Logger LOG = System.getLogger(RedisWorkers.class.getName());

    /** One registered worker as read at one instant. */
    record Worker(String id, long pid, long processStart, String hostId, long attachedMillis, long heartbeatMillis) {
        WorkerInfo info() {
            return new WorkerInfo(pid, Instant.ofEpochMilli(attachedMillis), Instant.ofEpochMilli(heartbeatMillis));
        }
    }

    private final String location;
    private final RedisKeys keys;
    private final RedisCalls calls;
    private final String id = randomId();
    private final long pid = Processes.currentPid();
    private final long processStart = Processes.currentStartTicks();
    private final String hostId = hostId();
    private volatile String epoch;
    /** Set when a registration found another epoch than the one before: Redis lost the data. */
    private final AtomicBoolean lostData = new AtomicBoolean();

    RedisWorkers(String location, RedisKeys keys, RedisCalls calls) {
        this.location = location;
        this.keys = keys;
        this.calls = calls;
    }

    /** This worker's id in the registry and in acknowledgements. */
    String id() {
        return id;
    }

    long pid() {
        return pid;
    }

    /** The epoch this worker last registered under. */
    String epoch() {
        return epoch;
    }

    /**
     * Registers this worker; returns the broadcast sequence at that instant and notes the store's
     * epoch. Synchronized: the heartbeat and the delivery thread may both register again after a
     * data loss, and only the first may see the epoch change.
     */
    synchronized long attach() {
        String candidate = randomId();
        List<?> reply = (List<?>) calls.call("register worker", jedis -> Scripts.ATTACH.run(jedis,
                List.of(keys.heartbeats(), keys.workerInfo(), keys.broadcastSequence(), keys.epoch()),
                List.of(bytes(id), bytes(pid + " " + processStart + " " + hostId), bytes(candidate))));
        String before = epoch;
        epoch = string((byte[]) reply.get(1));
        if (before != null && !before.equals(epoch)) {
            lostData.set(true);
        }
        return (Long) reply.get(0);
    }

    /** Whether a registration found that Redis lost the data since this was last asked; asking clears it. */
    boolean takeLostData() {
        return lostData.getAndSet(false);
    }

    /** Whether a data loss was found that {@link #takeLostData()} has not taken yet. */
    boolean lostDataPending() {
        return lostData.get();
    }

    /** Beats; registers again when the registry had dropped this worker. */
    void beat() {
        Object registered = calls.call("heartbeat", jedis -> Scripts.HEARTBEAT.run(jedis,
                List.of(keys.heartbeats(), keys.workerInfo()), List.of(bytes(id))));
        if ((Long) registered == 0) {
            LOG.log(System.Logger.Level.WARNING, "worker " + id + " (pid " + pid + ") had dropped out of the registry of "
                    + location + " (no heartbeat for " + WORKER_EXPIRY.toSeconds() + " s, or Redis lost its data); registering again");
            attach();
        }
    }

    /** Workers with a fresh heartbeat, less those of this host whose process is gone (removed on the way). */
    List<Worker> live() {
        Object reply = calls.call("list workers", jedis -> Scripts.LIVE_WORKERS.run(jedis,
                List.of(keys.heartbeats(), keys.workerInfo()), List.of(bytes(String.valueOf(WORKER_EXPIRY.toMillis())))));
        List<?> flat = (List<?>) reply;
        List<Worker> live = new ArrayList<>();
        List<byte[]> gone = new ArrayList<>();
        for (int i = 0; i + 2 < flat.size(); i += 3) {
            String workerId = string((byte[]) flat.get(i));
            long heartbeat = (long) Double.parseDouble(string((byte[]) flat.get(i + 1)));
            String[] info = string((byte[]) flat.get(i + 2)).split(" ");
            Worker worker = new Worker(workerId, Long.parseLong(info[0]), Long.parseLong(info[1]), info[2],
                    Long.parseLong(info[3]), heartbeat);
            if (worker.hostId().equals(hostId) && !Processes.isAlive(worker.pid(), worker.processStart())) {
                gone.add(bytes(workerId));
            } else {
                live.add(worker);
            }
        }
        if (!gone.isEmpty()) {
            calls.call("drop dead workers", jedis -> Scripts.DETACH.run(jedis, List.of(keys.heartbeats(), keys.workerInfo()), gone));
        }
        return live;
    }

    /** Unregisters this worker; when Redis cannot be reached, logs it and leaves the entry to expire. */
    void detach() {
        try {
            calls.call("unregister worker", jedis -> Scripts.DETACH.run(jedis, List.of(keys.heartbeats(), keys.workerInfo()),
                    List.of(bytes(id))));
        } catch (HearthException e) {
            LOG.log(System.Logger.Level.WARNING, "could not unregister worker " + id + " from " + location
                    + "; its heartbeat expires within " + WORKER_EXPIRY.toSeconds() + " s: " + e.getMessage());
        }
    }

    /**
     * This host, as worker entries name it: host name and kernel boot id. A worker whose entry
     * names another host is judged by its heartbeat alone, since its pid means nothing here.
     */
    static String hostId() {
        String name = read(Path.of("/proc/sys/kernel/hostname"));
        if (name == null) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                name = "unknown-host";
            }
        }
        String boot = read(Path.of("/proc/sys/kernel/random/boot_id"));
        return (name + "/" + (boot == null ? "no-boot-id" : boot)).replace(' ', '_');
    }

    private static String read(Path path) {
        try {
            String text = Files.readString(path).trim();
            return text.isEmpty() ? null : text;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String randomId() {
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
