package io.hearth.http;

import io.hearth.testkit.ChildJvm;
import java.util.Map;

/**
 * Starts a real supervisor process the way run-workers.sh starts it (SupervisorCommand's main with
 * the JVM options of the jar's manifest), on this module's class path. Its workers are real
 * processes too. Closing the returned child kills it and every process it started, so a failing
 * test leaks nothing.
 */
final class SupervisorProcess {
    /** Small heaps and quick startup: the test machine has two cores for four JVMs. */
    static final String WORKER_JAVA_OPTS = "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    private SupervisorProcess() {
    }

    /** A supervisor with these environment variables besides ours (HEARTH_TOKEN, HEARTH_PROTECT_READS only if given here). */
    static ChildJvm start(Map<String, String> environment, String... args) {
        return builder(args).environment(environment).start();
    }

    /** A supervisor of workers and standbys on port and store, as the chaos tests run it; the caller closes it. */
    static ChildJvm startWithStandbys(int workers, int standbys, int port, java.nio.file.Path store) {
        return start(Map.of(), "-n", Integer.toString(workers), "-k", Integer.toString(standbys), "-p", Integer.toString(port),
                "-s", store.toString());
    }

    /**
     * Waits until the supervisor says its workers serve and its standbys are warm, and a moment
     * more: a standby may still be busy just after it said so (compiling, collecting).
     */
    static void awaitStandbysWarm(ChildJvm supervisor, java.time.Duration startup) throws InterruptedException {
        supervisor.awaitLine(SupervisorCommand.READY_LINE, startup);
        supervisor.awaitLine(SupervisorCommand.STANDBYS_LINE, startup);
        Thread.sleep(1_000);
    }

    /** As {@link #start}, with stderr among the lines {@link ChildJvm#awaitLine} reads, for its error messages. */
    static ChildJvm startReadingErrors(String... args) {
        return builder(args).stderrInLines().start();
    }

    private static ChildJvm.Builder builder(String... args) {
        return ChildJvm.builder(SupervisorCommand.class).args(args).heap("64m")
                .environment(Map.of("HEARTH_WORKER_JAVA_OPTS", WORKER_JAVA_OPTS)).unsetEnvironment("HEARTH_TOKEN").unsetEnvironment("HEARTH_PROTECT_READS")
                .killDescendantsOnClose();
    }
}
