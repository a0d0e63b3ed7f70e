package io.hearth.testkit;

import io.hearth.Leadership;
import io.hearth.LeadershipListener;
import io.hearth.SharedCounter;
import io.hearth.SharedLock;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The other processes of {@link LocksContract}; each prints what the test checks.
 *
 * <pre>
 *   count STORE ROUNDS THREADS   once counter "go" is set, THREADS threads each add one to map "tally"
 *                                key "n" ROUNDS times, by a read and a separate write under lock "tally";
 *                                prints "READY", then "DONE"
 *   churn STORE                  like count, without end, holding the lock 0 to 2 ms each time; prints
 *                                "TOOK_OVER NANOS" (System.nanoTime) on each takeover from a dead holder,
 *                                and "DONE ROUNDS" once stdin says "stop"
 *   hold STORE                   takes lock "job" and prints "HOLDING"; on "check" prints "HELD true" or
 *                                "HELD false" (isHeldByCurrentThread), on "unlock" unlocks and prints "UNLOCKED"
 *   lead STORE                   prints "STANDBY"; on "join" becomes a candidate for the leadership of
 *                                "job" and prints "CANDIDATE"; on gaining adds one to counter "leading"
 *                                and prints "GAINED NANOS SUM", on losing takes one off and prints "LOST";
 *                                on "resign" resigns and prints "RESIGNED"; end of stdin closes the store
 * </pre>
 */
public final class LocksChild {
    private LocksChild() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        switch (args[0]) {
            case "count" -> count(out, args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "churn" -> churn(out, args[1]);
            case "hold" -> hold(out, args[1]);
            case "lead" -> lead(out, args[1]);
            default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
        }
    }

    private static void count(PrintStream out, String location, int rounds, int threads) throws InterruptedException {
        try (SharedStore store = Stores.open(location)) {
            SharedMap<Long> tally = store.map("tally", Long.class);
            SharedLock lock = store.lock("tally");
            out.println("READY");
            awaitGo(store);
            List<Thread> adders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread adder = new Thread(() -> {
                    for (int i = 0; i < rounds; i++) {
                        lock.lock();
                        try {
                            Long seen = tally.get("n");
                            tally.put("n", (seen == null ? 0 : seen) + 1);
                        } finally {
                            lock.unlock();
                        }
                    }
                }, "adder " + t);
                adder.start();
                adders.add(adder);
            }
            for (Thread adder : adders) {
                adder.join();
            }
            out.println("DONE");
        }
    }

    private static void churn(PrintStream out, String location) {
        try (SharedStore store = Stores.open(location)) {
            SharedMap<Long> tally = store.map("tally", Long.class);
            SharedLock lock = store.lock("tally");
            Thread stdin = untilStop();
            out.println("READY");
            awaitGo(store);
            long rounds = 0;
            while (stdin.isAlive()) {
                lock.lock();
                try {
                    if (lock.lastHolderDied()) {
                        out.println("TOOK_OVER " + System.nanoTime());
                    }
                    Long seen = tally.get("n");
                    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(2_000_000));
                    tally.put("n", (seen == null ? 0 : seen) + 1);
                    rounds++;
                } finally {
                    lock.unlock();
                }
            }
            out.println("DONE " + rounds);
        }
    }

    private static void hold(PrintStream out, String location) throws Exception {
        try (SharedStore store = Stores.open(location)) {
            SharedLock lock = store.lock("job");
            lock.lock();
            out.println("HOLDING");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals("check")) {
                    out.println("HELD " + lock.isHeldByCurrentThread());
                } else if (line.equals("unlock")) {
                    lock.unlock();
                    out.println("UNLOCKED");
                }
            }
        }
    }

    private static void lead(PrintStream out, String location) throws Exception {
        try (SharedStore store = Stores.open(location)) {
            SharedCounter leading = store.counter("leading");
            out.println("STANDBY");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            Leadership leadership = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals("join") && leadership == null) {
                    leadership = store.leadership("job", new LeadershipListener() {
                        @Override
                        public void gained() {
                            long sum = leading.incrementAndGet();
                            out.println("GAINED " + System.nanoTime() + " " + sum);
                        }

                        @Override
                        public void lost() {
                            leading.addAndGet(-1);
                            out.println("LOST");
                        }
                    });
                    out.println("CANDIDATE");
                } else if (line.equals("resign") && leadership != null) {
                    leadership.close();
                    out.println("RESIGNED");
                }
            }
        }
    }

    /**
     * When a "lead" child last gained the lead (its System.nanoTime, one clock for every process of
     * the host), or 0 if it does not lead now; takes in the lines it printed so far.
     */
    public static long ledSince(ChildJvm child) {
        List<String> lines = child.readAvailableLines();
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i);
            if (line.startsWith("LOST")) {
                return 0;
            }
            if (line.startsWith("GAINED ")) {
                return Long.parseLong(line.split(" ")[1]);
            }
        }
        return 0;
    }

    private static void awaitGo(SharedStore store) {
        SharedCounter go = store.counter("go");
        while (go.get() == 0) {
            LockSupport.parkNanos(100_000);
        }
    }

    /** A thread reading stdin that ends when it reads "stop" or stdin ends. */
    private static Thread untilStop() {
        Thread reader = new Thread(() -> {
            try {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String line = in.readLine(); line != null && !line.equals("stop"); line = in.readLine()) {
                    // only "stop" means anything
                }
            } catch (java.io.IOException e) {
                // stdin gone: stop as well
            }
        }, "stdin");
        reader.setDaemon(true);
        reader.start();
        return reader;
    }
}
