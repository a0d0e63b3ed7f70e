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
