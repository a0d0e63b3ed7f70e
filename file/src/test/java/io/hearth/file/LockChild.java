package io.hearth.file;

import io.hearth.Leadership;
import io.hearth.LeadershipListener;
import io.hearth.SharedLock;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** The other processes of {@link LocksAcrossProcessesTest}: each scenario prints what the test checks. */
public final class LockChild {
    private LockChild() {
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[1]);
        switch (args[0]) {
            case "count" -> count(path, Integer.parseInt(args[2]));
            case "hold" -> hold(path);
            case "lead" -> lead(path);
            default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
        }
    }

    /**
     * Once counter "go" is set, adds one to the value of map "tally" key "n" times rounds, each by a
     * read and a separate write under lock "tally": only the lock makes the sum exact. Prints "DONE".
     */
    private static void count(Path path, int rounds) {
        try (SharedStore store = SharedStore.open(path)) {
            SharedMap<Long> tally = store.map("tally", Long.class);
            SharedLock lock = store.lock("tally");
            System.out.println("READY");
            while (store.counter("go").get() == 0) {
                Thread.onSpinWait();
            }
            for (int i = 0; i < rounds; i++) {
                lock.lock();
                try {
                    Long seen = tally.get("n");
                    tally.put("n", (seen == null ? 0 : seen) + 1);
                } finally {
                    lock.unlock();
                }
            }
            System.out.println("DONE");
        }
    }

    /** Takes lock "job", prints "HOLDING" and waits to be killed. */
    private static void hold(Path path) {
        try (SharedStore store = SharedStore.open(path)) {
            store.lock("job").lock();
            System.out.println("HOLDING");
            LockSupport.parkNanos(Duration.ofMinutes(10).toNanos());
        }
    }

    /**
     * Becomes a candidate for the leadership of "job"; prints "GAINED" and "LOST" as it hears them.
     * On stdin, "resign" closes the candidacy (then prints "RESIGNED"); end of input closes the store.
     */
    private static void lead(Path path) throws Exception {
        try (SharedStore store = SharedStore.open(path)) {
            Leadership leadership = store.leadership("job", new LeadershipListener() {
                @Override
                public void gained() {
                    System.out.println("GAINED");
                }

                @Override
                public void lost() {
                    System.out.println("LOST");
                }
            });
            System.out.println("CANDIDATE");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals("resign")) {
                    leadership.close();
                    System.out.println("RESIGNED");
                }
            }
        }
    }
}
