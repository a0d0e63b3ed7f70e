package io.hearth.file;

import io.hearth.SharedCounter;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.StoreCheck;
import io.hearth.testkit.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.hearth.file.KillChild.Big;
import io.hearth.file.KillChild.Ledger;
import io.hearth.file.KillChild.Op;
import io.hearth.internal.JvmOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 at the library level: a process killed at random points inside counter increments, map
 * updates or broadcasts never leaves the others blocked for more than 1 s, never leaves a torn
 * value, and nothing acknowledged is lost.
 *
 * <p>Each test runs real JVMs ({@link KillChild}) on one store file, which this JVM also keeps
 * open: two observers that are never killed, and three victims, each SIGKILLed 30 to 250 ms after
 * it starts working and replaced at once, for {@link #RUN} and until {@link #MIN_KILLS} were
 * started. The first five start together at a barrier (a flag in a control file). Every child keeps, in a memory-mapped ledger of its own, what
 * it sent (counted before each call), what was acknowledged (after the call returned), its slowest
 * completed operation and the operation in flight; the page cache outlives a SIGKILL, so a killed
 * child's ledger still counts. After the run the observers must go on making progress and stop
 * when asked, and every final value must lie between the acknowledged and the sent totals.
 *
 * <p>Timings are reported, not asserted (the machines are shared): an operation slower than the
 * issue's 1 s is printed with what it was. Asserted are only stalls: no completed operation
 * took {@link #STALL}, and an observer whose operation has not returned after {@link #GIVE_UP}
 * fails the test with what it is stuck in instead of hanging the build.
 */
class ProcessKillTest {
    /** The bound on how long a killed process may hold up another: reported when passed, not asserted. */
    private static final Duration BOUND = Duration.ofSeconds(1);
    /** What is asserted: an operation this slow is a stall of the store, not a busy machine. */
    private static final Duration STALL = Duration.ofSeconds(10);
    /** How long victims are replaced; {@code -Dhearth.killtest.seconds=60} runs longer, for more kills. */
    private static final Duration RUN = Duration.ofSeconds(Long.getLong("hearth.killtest.seconds", 15));
    private static final Duration GIVE_UP = Duration.ofSeconds(30);
    /** Victims are replaced past RUN, up to this, until MIN_KILLS have been started. */
    private static final Duration MAX_RUN = Duration.ofSeconds(60);
    private static final Duration START_UP = Duration.ofSeconds(120);
    private static final int OBSERVERS = 2;
    private static final int VICTIMS = 3;
    /**
     * Kills a run must reach; victims are replaced past RUN until this many were started. Fewer than
     * one would like, because of the start-up cost below: a busy 2-core machine manages 12 to 14 in about 18 s.
     */
    private static final int MIN_KILLS = 12;
    private static final int KILL_AFTER_MIN_MS = 30;
    private static final int KILL_AFTER_MAX_MS = 250;
    /**
     * A JVM opening a store spends about 2 s of CPU starting (it was twice that while Chronicle
     * compiled its header class with javac on every open; the build now ships it); victims skip the optimising
     * compiler, which cuts that by about 40%, so a small machine manages more kills. Observers run
     * the usual JVM.
     */
    private static final List<String> VICTIM_JVM_OPTIONS = Stream.concat(JvmOptions.required().arguments().stream(),
            Stream.of("-XX:TieredStopAtLevel=1")).toList();
    private static final Pattern DEAD_WRITER = Pattern.compile("broadcast \\d+ was left half-written by process (\\d+), which is dead.*");

    @TempDir
    Path dir;

    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void killEveryChild() {
        children.forEach(ChildJvm::close);
    }

    @Test
    void aProcessKilledInsideCounterIncrementsBlocksNoOtherForASecondAndLosesNoAcknowledgedIncrement() {
        Path path = dir.resolve("store.store");
        try (SharedStore store = SharedStore.open(path)) {
            SharedCounter hits = store.counter(KillChild.COUNTER);
            KillRun run = new KillRun(KillChild.Scenario.COUNTERS, path);
            run.run();

            long count = hits.get();
            run.report("counter '" + KillChild.COUNTER + "' " + count);
            run.assertNoStallTearOrError();
            run.assertAccounted("counter '" + KillChild.COUNTER + "'", count);
            assertThat(StoreCheck.run(path).problems()).as("StoreCheck after " + run.title()).isEmpty();
        }
    }

    @Test
    void aProcessKilledInsideMapUpdatesBlocksNoOtherForASecondAndLeavesNoTornOrLostUpdate() {
        Path path = dir.resolve("store.store");
        try (SharedStore store = SharedStore.open(path)) {
            SharedMap<Big> map = store.map(KillChild.MAP, Big.class);
            for (String key : KillChild.KEYS) {
                map.put(key, Big.of(0));
            }
            KillRun run = new KillRun(KillChild.Scenario.MAP_UPDATES, path);
            run.run();

            long[] sum = new long[1];
            assertTimeoutPreemptively(GIVE_UP, () -> {
                for (int key = 0; key < KillChild.KEYS.length; key++) {
                    Big value = map.get(KillChild.KEYS[key]);
                    assertThat(value).as(run.title() + ": map key '" + KillChild.KEYS[key] + "' after the run").isNotNull();
                    assertThat(value.intact()).as(run.title() + ": map key '" + KillChild.KEYS[key] + "' is whole: " + value).isTrue();
                    if (key != KillChild.SCRATCH_KEY) {
                        sum[0] += value.n();
                    }
                }
            }, () -> run.title() + ": reading the map after the run took over " + GIVE_UP);
            run.report("sum of n over the update and compare-and-put keys " + sum[0]);
            run.assertNoStallTearOrError();
            run.assertAccounted("the sum of n over keys u0..u3 and cas", sum[0]);
            StoreCheck.Report check = assertTimeoutPreemptively(GIVE_UP, () -> StoreCheck.run(path),
                    () -> run.title() + ": StoreCheck after the run took over " + GIVE_UP);
            assertThat(check.problems()).as("StoreCheck after " + run.title()).isEmpty();
        }
    }

    @Test
    void aProcessKilledInsideBroadcastsBlocksNoOtherForASecondAndTheOthersStillHearEachOther() {
        Path path = dir.resolve("store.store");
        try (SharedStore store = SharedStore.open(path)) {
            KillRun run = new KillRun(KillChild.Scenario.BROADCASTS, path);
            run.run();

            long handedOut = store.broadcast("end", "", Duration.ZERO).sequence() - 1; // every sequence the children claimed
            run.report("broadcast sequences handed out " + handedOut + "; received by observers "
                    + run.observers.stream().map(o -> o.name + " " + o.ledger.get(Ledger.RECEIVED)).collect(Collectors.joining(", ")));
            run.assertNoStallTearOrError();
            run.assertAccounted("the broadcast sequences handed out", handedOut);
            // A message whose sender was killed while writing it stays in the ring, skipped by every
            // reader, until the ring comes round: StoreCheck says so, and that is the documented state.
            Set<Long> killed = run.victims.stream().map(v -> v.jvm.pid()).collect(Collectors.toSet());
            assertThat(StoreCheck.run(path).problems()).as("StoreCheck after " + run.title() + ", half-written messages of killed senders aside")
                    .filteredOn(problem -> {
                        Matcher dead = DEAD_WRITER.matcher(problem);
                        return !(dead.matches() && killed.contains(Long.parseLong(dead.group(1))));
                    })
                    .isEmpty();
        }
    }

    /** One child: its JVM and its ledger. */
    private static final class Member {
        final String name;
        final ChildJvm jvm;
        final Ledger ledger;
        long killAtNanos;
        long killedAtMillis;
        boolean killedWorking;

        Member(String name, ChildJvm jvm, Ledger ledger) {
            this.name = name;
            this.jvm = jvm;
            this.ledger = ledger;
        }

        boolean working() {
            return ledger.get(Ledger.WORKING_SINCE) != 0;
        }

        /** How long the operation now running has been running, or 0. */
        long inFlightMillis() {
            long since = ledger.get(Ledger.IN_FLIGHT_SINCE);
            return since == 0 ? 0 : Math.max(0, System.currentTimeMillis() - since);
        }

        /** For a killed victim: the operation it was killed in, or null when it was between operations. */
        Long killedInside() {
            return ledger.get(Ledger.IN_FLIGHT_SINCE) == 0 ? null : ledger.get(Ledger.IN_FLIGHT_OP);
        }

        /** For a victim killed inside an operation: how long it had been in it. */
        long killedAfterMillis() {
            return killedAtMillis - ledger.get(Ledger.IN_FLIGHT_SINCE);
        }

        String inFlight() {
            long since = ledger.get(Ledger.IN_FLIGHT_SINCE);
            return since == 0 ? "between operations" : "inside " + Op.describe(ledger.get(Ledger.IN_FLIGHT_OP)) + " for "
                    + (System.currentTimeMillis() - since) + " ms";
        }

        @Override
        public String toString() {
            return name + " (pid " + jvm.pid() + ")";
        }
    }

    /** One scenario: the children, the kills, and what their ledgers say. */
    private final class KillRun {
        final KillChild.Scenario scenario;
        final Path store;
        final Ledger control;
        final List<Member> observers = new ArrayList<>();
        /** Every victim started, killed or not. */
        final List<Member> victims = new ArrayList<>();
        final Member[] current = new Member[VICTIMS];
        int kills;
        int killedWhileStarting;
        long worstObserverInFlight;
        long worstVictimInFlight;
        /** When the barrier opened. */
        long goMillis;
        /** Victims killed while working, in the order killed. */
        final List<Member> killed = new ArrayList<>();

        KillRun(KillChild.Scenario scenario, Path store) {
            this.scenario = scenario;
            this.store = store;
            try {
                Files.createDirectories(dir.resolve("ledgers"));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            this.control = Ledger.create(dir.resolve("control"));
        }

        String title() {
            return "[" + scenario.title + "]";
        }

        /** Runs the scenario; prints its figures even when it fails. */
        void run() {
            try {
                runScenario();
            } finally {
                System.out.print(figures());
            }
        }

        private void runScenario() {
            for (int i = 0; i < OBSERVERS; i++) {
                observers.add(start("o" + i, "o" + ((i + 1) % OBSERVERS), JvmOptions.required().arguments()));
            }
            for (int i = 0; i < VICTIMS; i++) {
                current[i] = startVictim();
            }
            awaitEveryone(member -> member.ledger.get(Ledger.READY) != 0, "open the store and warm up", START_UP);
            goMillis = System.currentTimeMillis();
            control.set(Ledger.GO, 1);

            // Victims are replaced for RUN (and until MIN_KILLS were started, up to MAX_RUN); the last
            // ones are still killed while working, unless they have not started working GIVE_UP later.
            long started = System.nanoTime();
            long end = started + RUN.toNanos();
            long drainedBy = 0;
            while (Arrays.stream(current).anyMatch(Objects::nonNull)) {
                boolean replacing = drainedBy == 0 && (System.nanoTime() - end < 0
                        || (victims.size() < MIN_KILLS && System.nanoTime() - started - MAX_RUN.toNanos() < 0));
                if (!replacing && drainedBy == 0) {
                    drainedBy = System.nanoTime() + GIVE_UP.toNanos();
                }
                for (int i = 0; i < VICTIMS; i++) {
                    Member victim = current[i];
                    if (victim == null) {
                        continue;
                    }
                    checkAlive(victim, "while it was working");
                    worstVictimInFlight = Math.max(worstVictimInFlight, victim.inFlightMillis());
                    if (victim.killAtNanos == 0 && victim.working()) {
                        victim.killAtNanos = System.nanoTime()
                                + ThreadLocalRandom.current().nextLong(KILL_AFTER_MIN_MS, KILL_AFTER_MAX_MS + 1) * 1_000_000L;
                    }
                    boolean due = victim.killAtNanos != 0 && System.nanoTime() - victim.killAtNanos >= 0;
                    if (due || (drainedBy != 0 && System.nanoTime() - drainedBy > 0)) {
                        kill(victim);
                        current[i] = replacing ? startVictim() : null;
                    }
                }
                for (Member observer : observers) {
                    checkAlive(observer, "while it was working");
                }
                watchObservers();
                LockSupport.parkNanos(2_000_000);
            }

            // After the last kill, the observers must still get on: new operations, and for
            // broadcasts a message from each other sent after it.
            long[] opsMark = observers.stream().mapToLong(o -> o.ledger.get(Ledger.OPS)).toArray();
            long[] sentMark = observers.stream().mapToLong(o -> o.ledger.get(Ledger.ACKED)).toArray();
            awaitObservers(o -> {
                int i = observers.indexOf(o);
                boolean heardPartner = scenario != KillChild.Scenario.BROADCASTS
                        || o.ledger.get(Ledger.PARTNER_SEQUENCE) > sentMark[(i + 1) % OBSERVERS];
                return o.ledger.get(Ledger.OPS) > opsMark[i] && heardPartner;
            }, scenario == KillChild.Scenario.BROADCASTS
                    ? "complete operations and hear the other observer after the last kill" : "complete operations after the last kill");
            control.set(Ledger.STOP, 1);
            awaitObservers(o -> o.ledger.get(Ledger.DONE) != 0, "stop when asked");
            for (Member observer : observers) {
                assertThat(observer.jvm.awaitExit(GIVE_UP)).as(title() + ": exit code of observer " + observer).isZero();
            }
        }

        private Member startVictim() {
            Member victim = start("v" + victims.size(), "-", VICTIM_JVM_OPTIONS);
            victims.add(victim);
            return victim;
        }

        private Member start(String name, String partner, List<String> jvmOptions) {
            Path ledger = dir.resolve("ledgers").resolve(name);
            Ledger created = Ledger.create(ledger);
            ChildJvm jvm = ChildJvm.builder(KillChild.class).jvmOptions(jvmOptions).args(scenario.name(), store.toString(),
                    dir.resolve("control").toString(), ledger.toString(), name, partner).start();
            children.add(jvm);
            return new Member(name, jvm, created);
        }

        private void kill(Member victim) {
            victim.killedAtMillis = System.currentTimeMillis();
            victim.jvm.kill();
            if (victim.working()) {
                victim.killedWorking = true;
                killed.add(victim);
                kills++;
            } else {
                killedWhileStarting++;
            }
        }

        private void checkAlive(Member member, String when) {
            if (!member.jvm.isAlive()) {
                throw new AssertionError(title() + " " + member + " exited by itself " + when + ", with code "
                        + member.jvm.awaitExit(Duration.ZERO) + "; its first problem: '" + member.ledger.note() + "' (its stderr is above)");
            }
        }

        /** Notes the longest operation in flight, and gives up on an observer stuck for GIVE_UP. */
        private void watchObservers() {
            for (Member observer : observers) {
                long inFlight = observer.inFlightMillis();
                worstObserverInFlight = Math.max(worstObserverInFlight, inFlight);
                if (inFlight >= GIVE_UP.toMillis()) {
                    throw new AssertionError(title() + " observer " + observer + " has been " + observer.inFlight()
                            + " and has not returned; the issue names " + BOUND.toMillis() + " ms. " + state());
                }
            }
        }

        private void awaitObservers(Predicate<Member> done, String what) {
            long deadline = System.nanoTime() + GIVE_UP.toNanos();
            while (!observers.stream().allMatch(done)) {
                watchObservers();
                for (Member observer : observers) {
                    if (!done.test(observer)) {
                        checkAlive(observer, "before it could " + what);
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError(title() + " the observers did not " + what + " within " + GIVE_UP + ". " + state());
                }
                LockSupport.parkNanos(2_000_000);
            }
        }

        private void awaitEveryone(Predicate<Member> done, String what, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<Member> everyone = Stream.concat(observers.stream(), victims.stream()).toList();
            while (!everyone.stream().allMatch(done)) {
                for (Member member : everyone) {
                    checkAlive(member, "before it could " + what);
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError(title() + " the children did not " + what + " within " + timeout + ". " + state());
                }
                LockSupport.parkNanos(10_000_000);
            }
        }

        /**
         * What every observer is doing and what the victims were killed in, in the order killed and
         * with times since the barrier opened, for a failure message: the first victim killed inside
         * the operation the observers are stuck in is the likely cause.
         */
        private String state() {
            List<String> victimsKilled = killed.stream().limit(12).map(v -> "+" + (v.killedAtMillis - goMillis) + " ms " + v.name
                    + (v.killedInside() == null ? " between operations"
                            : " inside " + Op.describe(v.killedInside()) + " (for " + v.killedAfterMillis() + " ms)")).toList();
            return "Observers: " + observers.stream()
                    .map(o -> o + " " + o.ledger.get(Ledger.OPS) + " ops done, now " + o.inFlight() + stuckSince(o))
                    .collect(Collectors.joining("; "))
                    + ". Victims killed so far: " + kills + (killed.isEmpty() ? "" : "; in order: " + String.join(", ", victimsKilled)
                    + (killed.size() > victimsKilled.size() ? ", ..." : ""))
                    + ".";
        }

        private String stuckSince(Member observer) {
            long since = observer.ledger.get(Ledger.IN_FLIGHT_SINCE);
            return since == 0 ? "" : " (since +" + (since - goMillis) + " ms)";
        }

        long sent() {
            return everyone().mapToLong(m -> m.ledger.get(Ledger.SENT)).sum();
        }

        long acked() {
            return everyone().mapToLong(m -> m.ledger.get(Ledger.ACKED)).sum();
        }

        private Stream<Member> everyone() {
            return Stream.concat(observers.stream(), victims.stream());
        }

        /** What the run measured. */
        private String figures() {
            StringBuilder out = new StringBuilder();
            Map<Op, Long> killedInside = victims.stream().filter(v -> v.killedWorking && v.killedInside() != null)
                    .collect(Collectors.groupingBy(v -> Op.of(v.killedInside()), () -> new EnumMap<>(Op.class), Collectors.counting()));
            out.append(String.format(Locale.ROOT, "%s %d victims killed while working, inside %s"
                            + " (%d more killed while starting, %d started); last kill %.1f s after the start%n",
                    title(), kills, killedInside.isEmpty() ? "no operation" : killedInside, killedWhileStarting, victims.size(),
                    killed.isEmpty() ? 0 : (killed.get(killed.size() - 1).killedAtMillis - goMillis) / 1e3));
            for (Member observer : observers) {
                out.append(String.format(Locale.ROOT, "  observer %s: %d ops, slowest %s (%s), warm-up %s, errors %d, torn %d%s%n",
                        observer, observer.ledger.get(Ledger.OPS), millis(observer.ledger.get(Ledger.MAX_NANOS)),
                        Op.describe(observer.ledger.get(Ledger.SLOWEST_OP)), millis(observer.ledger.get(Ledger.WARM_UP_MAX_NANOS)),
                        observer.ledger.get(Ledger.ERRORS), observer.ledger.get(Ledger.TORN),
                        scenario != KillChild.Scenario.BROADCASTS ? "" : String.format(Locale.ROOT,
                                ", received %d, skipped %d of writers killed mid-write and %d others",
                                observer.ledger.get(Ledger.RECEIVED), observer.ledger.get(Ledger.SKIPPED_DEAD_WRITER),
                                observer.ledger.get(Ledger.SKIPPED_OTHER))));
            }
            victims.stream().max(Comparator.comparingLong(v -> v.ledger.get(Ledger.MAX_NANOS))).ifPresent(slowest ->
                    out.append(String.format(Locale.ROOT, "  victims: %d ops, slowest %s (%s, %s), slowest warm-up %s, errors %d, torn %d%n",
                            victims.stream().mapToLong(v -> v.ledger.get(Ledger.OPS)).sum(), millis(slowest.ledger.get(Ledger.MAX_NANOS)),
                            Op.describe(slowest.ledger.get(Ledger.SLOWEST_OP)), slowest,
                            millis(victims.stream().mapToLong(v -> v.ledger.get(Ledger.WARM_UP_MAX_NANOS)).max().orElse(0)),
                            victims.stream().mapToLong(v -> v.ledger.get(Ledger.ERRORS)).sum(),
                            victims.stream().mapToLong(v -> v.ledger.get(Ledger.TORN)).sum())));
            out.append(String.format(Locale.ROOT, "  longest operation in flight seen while watching: observers %d ms, victims %d ms%n",
                    worstObserverInFlight, worstVictimInFlight));
            return out.toString();
        }

        /** The final value beside the accounting, on stdout. */
        void report(String finalValue) {
            System.out.printf(Locale.ROOT, "%s acked %d <= %s <= sent %d%n", title(), acked(), finalValue, sent());
        }

        /** Every child: operations under the bound, nothing torn, no call failed; and enough kills. */
        void assertNoStallTearOrError() {
            SoftAssertions softly = new SoftAssertions();
            everyone().forEach(member -> {
                String who = title() + " " + (observers.contains(member) ? "observer " : "victim ") + member;
                Duration slowest = Duration.ofNanos(member.ledger.get(Ledger.MAX_NANOS));
                if (slowest.compareTo(BOUND) >= 0) { // reported, not failed: on a shared 2-core machine a stall of the scheduler looks the same
                    System.out.printf(Locale.ROOT, "%s: slowest operation %s (%s), over the %d ms GUARANTEES.md names%n", who,
                            millis(member.ledger.get(Ledger.MAX_NANOS)), Op.describe(member.ledger.get(Ledger.SLOWEST_OP)), BOUND.toMillis());
                }
                softly.assertThat(slowest).as(who + ": slowest operation, " + Op.describe(member.ledger.get(Ledger.SLOWEST_OP))
                        + "; over " + STALL.toSeconds() + " s is a stall, not load").isLessThan(STALL);
                softly.assertThat(member.ledger.get(Ledger.TORN)).as(who + ": values seen torn; first problem: " + member.ledger.note()).isZero();
                softly.assertThat(member.ledger.get(Ledger.ERRORS)).as(who + ": operations that threw; first problem: " + member.ledger.note()).isZero();
            });
            for (Member observer : observers) {
                softly.assertThat(observer.ledger.get(Ledger.OPS)).as(title() + " operations of observer " + observer).isPositive();
            }
            softly.assertThat(kills).as(title() + " victims killed while working (victims were replaced for up to " + MAX_RUN
                    + " to reach " + MIN_KILLS + ": this machine starts JVMs too slowly)").isGreaterThanOrEqualTo(MIN_KILLS);
            softly.assertAll();
        }

        /** Nothing acknowledged is lost, nothing appears that was not sent. */
        void assertAccounted(String what, long value) {
            assertThat(value).as(title() + " " + what + " lies between what was acknowledged (" + acked()
                    + ") and what was sent (" + sent() + ")").isBetween(acked(), sent());
        }
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
}
