package io.hearth.bench;

import io.hearth.SharedStore;
import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.LocksChild;
import io.hearth.testkit.Stores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How long a leadership is without a leader when its leader is killed with SIGKILL: three
 * candidate JVMs ({@link LocksChild}'s "lead"), the leader killed, the time from the kill to the
 * next leader's gain (System.nanoTime, one clock for every process of the host), KILLS times, a
 * booted standby joining for each one killed so three stay candidates. Not JMH: each sample is a
 * process's death. Appends "id TAB microseconds" per kill to the file given; run.sh runs it.
 *
 * <pre>java -cp benchmarks.jar io.hearth.bench.FailoverProbe OUT.tsv ID STORE KILLS</pre>
 */
public final class FailoverProbe {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private FailoverProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        String id = args[1];
        String store = args[2];
        int kills = Integer.parseInt(args[3]);
        List<ChildJvm> all = new ArrayList<>();
        try (SharedStore ignored = Stores.open(store)) {
            List<ChildJvm> waiting = new ArrayList<>();
            for (int i = 0; i < kills + 3; i++) {
                ChildJvm child = ChildJvm.builder(LocksChild.class).args("lead", store).heap("64m").start();
                all.add(child);
                waiting.add(child);
            }
            waiting.forEach(child -> child.awaitLine("STANDBY", WAIT));
            List<ChildJvm> candidates = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                join(waiting, candidates);
            }
            ChildJvm leader = leader(candidates, 0);
            for (int k = 0; k < kills; k++) {
                Thread.sleep(300); // the leader settles, and the kill lands at no particular moment of its polls
                long killed = System.nanoTime();
                leader.kill();
                candidates.remove(leader);
                join(waiting, candidates);
                leader = leader(candidates, killed);
                long micros = (LocksChild.ledSince(leader) - killed) / 1_000;
                Files.writeString(out, id + "\t" + micros + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                System.out.println(id + ": the next leader led " + micros + " us after SIGKILL of the last");
            }
        } finally {
            all.forEach(ChildJvm::close);
        }
    }

    private static void join(List<ChildJvm> waiting, List<ChildJvm> candidates) {
        ChildJvm next = waiting.remove(0);
        next.send("join");
        next.awaitLine("CANDIDATE", WAIT);
        candidates.add(next);
    }

    private static ChildJvm leader(List<ChildJvm> candidates, long since) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ChildJvm child : candidates) {
                if (LocksChild.ledSince(child) > since) {
                    return child;
                }
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("no candidate led within " + WAIT);
    }
}
