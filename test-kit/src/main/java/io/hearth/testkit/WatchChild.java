package io.hearth.testkit;

import io.hearth.Change;
import io.hearth.SharedCounter;
import io.hearth.SharedMap;
import io.hearth.SharedStore;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The other side of the change feed's cross-process tests ({@link ChangeFeedContract}): a watcher
 * that prints each change it is handed, or a writer that prints each version it wrote.
 *
 * <pre>
 *   watch STORE MAP PREFIX AFTER   AFTER: a version, or "now"; prints "READY", then (never before it) per change
 *                                  "C WRITE key version n", "C REMOVAL key version", "C GAP first last",
 *                                  until stdin closes
 *   write STORE MAP WRITER KEYS ROUNDS   waits at the store's barrier, then writes Tally(round) to
 *                                  keys WRITER-0 .. WRITER-(KEYS-1), ROUNDS times; prints "W key version" per write, then "DONE"
 * </pre>
 */
public final class WatchChild {
    private WatchChild() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
        switch (args[0]) {
            case "watch" -> watch(out, args[1], args[2], args[3], args[4]);
            case "write" -> write(out, args[1], args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
        }
    }

    private static void watch(PrintStream out, String location, String mapName, String prefix, String after) throws Exception {
        try (SharedStore store = Stores.open(location)) {
            SharedMap<Tally> map = store.map(mapName, Tally.class);
            // A watch resumed from an old version has changes to hand out at once: they wait for READY,
            // so that a parent reading on from READY sees every one of them.
            java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
            java.util.function.Consumer<Change<Tally>> print = change -> {
                try {
                    ready.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                synchronized (out) {
                    out.println(switch (change.kind()) {
                        case WRITE -> "C WRITE " + change.key() + " " + change.version() + " " + change.value().n();
                        case REMOVAL, EXPIRY -> "C " + change.kind() + " " + change.key() + " " + change.version();
                        case GAP -> "C GAP " + change.firstMissed() + " " + change.version();
                    });
                    out.flush();
                }
            };
            try (var ignored = after.equals("now") ? map.watch(prefix, print) : map.watch(prefix, Long.parseLong(after), print)) {
                synchronized (out) {
                    out.println("READY");
                    out.flush();
                }
                ready.countDown();
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                while (in.readLine() != null) {
                    // runs until the parent closes stdin, or kills it
                }
            }
        }
    }

    private static void write(PrintStream out, String location, String mapName, String writer, int keys, int rounds) {
        try (SharedStore store = Stores.open(location)) {
            SharedMap<Tally> map = store.map(mapName, Tally.class);
            store.counter("barrier.ready").incrementAndGet();
            SharedCounter go = store.counter("barrier.go");
            while (go.get() == 0) {
                Thread.onSpinWait();
            }
            for (int round = 1; round <= rounds; round++) {
                for (int k = 0; k < keys; k++) {
                    String key = writer + "-" + k;
                    out.println("W " + key + " " + map.put(key, new Tally(round)));
                }
            }
            out.println("DONE");
            out.flush();
        }
    }
}
