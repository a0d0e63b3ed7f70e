package io.hearth.bench;

import io.hearth.SharedCounter;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * The other process of a cross-process benchmark, started by {@link HelperProcess}. It hammers
 * (or echoes through) a shared file until it reads "stop" on stdin, then prints "ops N". It
 * prints "running" once it is doing its work (a hammer: after {@link Trial#ALONE_WARM_UP} of it alone,
 * which "ops N" leaves out), and halts when its stdin closes, so it never
 * outlives the benchmark JVM, even one killed with SIGKILL.
 */
public final class Helper {
    private static volatile boolean stop;
    /** Where hammer's results go, so no JIT may drop the operation. */
    static volatile long sink;

    private Helper() {
    }

    public static void main(String[] args) throws Exception {
        watchParent();
        String mode = args[0];
        Path path = Path.of(args[1]);
        long ops;
        switch (mode) {
            case "counter" -> {
                try (SharedStore store = SharedStore.open(path)) {
                    SharedCounter counter = store.counter(args[2]);
                    ops = hammer(counter::incrementAndGet);
                }
            }
            case "raw-add" -> {
                RawMmap raw = RawMmap.open(path);
                ops = hammer(() -> raw.getAndAdd(RawMmap.A, 1));
            }
            case "map-update" -> {
                try (SharedStore store = SharedStore.open(path)) {
                    SharedMap<Profile> map = store.map(args[2], Profile.class);
                    String key = args[3];
                    ops = hammer(() -> map.update(key, Profile::visited).visits());
                }
            }
            case "raw-rmw" -> {
                try (ChronicleMap<String, byte[]> map = RawChronicle.open(path.toFile(), RawChronicle.BENCHMARK_ENTRIES, args[2], Integer.parseInt(args[3]))) {
                    ops = hammer(() -> RawChronicle.rmw(map, args[2]));
                }
            }
            case "peer" -> { // peer DIR KIND OP: a PeerBenchmarks store, updated or incremented
                try (PeerStore store = PeerStore.Kind.of(args[2]).open(path)) {
                    ops = args[3].equals(PeerBenchmarks.UPDATE) ? hammer(() -> store.update(Profile::visited).visits())
                            : hammer(store::increment);
                }
            }
            case "echo" -> {
                try (SharedStore store = SharedStore.open(path)) {
                    SharedCounter ping = store.counter("ping");
                    SharedCounter pong = store.counter("pong");
                    ops = echo(ping::get, pong::set);
                }
            }
            case "feed-echo" -> {
                try (SharedStore store = SharedStore.open(path)) {
                    SharedCounter pong = store.counter("pong");
                    java.util.concurrent.atomic.AtomicLong echoed = new java.util.concurrent.atomic.AtomicLong();
                    try (io.hearth.Subscription ignored = store.map("feed", Long.class).watch("", change -> {
                        if (change.kind() == io.hearth.Change.Kind.WRITE) {
                            pong.set(change.value());
                            echoed.incrementAndGet();
                        }
                    })) {
                        System.out.println("running");
                        System.out.flush();
                        while (!stop) {
                            Thread.sleep(10);
                        }
                    }
                    ops = echoed.get();
                }
            }
            case "raw-echo" -> {
                RawMmap raw = RawMmap.open(path);
                ops = echo(() -> raw.getAcquire(RawMmap.A), v -> raw.setRelease(RawMmap.B, v));
            }
            default -> throw new IllegalArgumentException("unknown helper mode " + mode);
        }
        System.out.println("ops " + ops);
        System.out.flush();
    }

    /** Repeats op alone for {@link Trial#ALONE_WARM_UP}, then says "running" and counts every op until "stop". */
    private static long hammer(java.util.function.LongSupplier op) {
        long ops = 0;
        long sum = 0;
        long warm = System.nanoTime() + Trial.ALONE_WARM_UP.toNanos(); // alone: the benchmark JVM waits for "running"
        while (System.nanoTime() - warm < 0) {
            for (int i = 0; i < 1024; i++) {
                sum += op.getAsLong();
            }
        }
        System.out.println("running"); // the operations counted are those from here on, against the benchmark's
        System.out.flush();
        while (!stop) {
            sum += op.getAsLong();
            ops++;
        }
        sink = sum;
        return ops;
    }

    /** Copies every new ping value to pong, spinning: the echo side of a ping-pong. */
    private static long echo(java.util.function.LongSupplier ping, java.util.function.LongConsumer pong) {
        long last = ping.getAsLong();
        long ops = 0;
        System.out.println("running");
        System.out.flush();
        int spins = 0;
        while (!stop) {
            long seen = ping.getAsLong();
            if (seen != last) {
                pong.accept(seen);
                last = seen;
                ops++;
                spins = 0;
            } else {
                Spin.pause(spins++, null);
            }
        }
        return ops;
    }

    private static void watchParent() {
        Thread watcher = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.equals("stop")) {
                        stop = true;
                        return;
                    }
                }
            } catch (IOException ignored) {
                // treated as the parent going away
            }
            Runtime.getRuntime().halt(3); // parent gone: do not spin on its files forever
        }, "parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
