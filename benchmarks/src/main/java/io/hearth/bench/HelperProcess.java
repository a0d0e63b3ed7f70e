package io.hearth.bench;

import io.hearth.internal.JvmOptions;
import io.hearth.testkit.ChildJvm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Helper} in its own JVM, on this JVM's class path. Started in a benchmark's trial
 * setup, closed in its teardown; a shutdown hook kills it if the benchmark JVM exits first, and
 * the helper itself halts when its stdin closes (this JVM died).
 */
final class HelperProcess implements AutoCloseable {
    private final ChildJvm jvm;

    private HelperProcess(ChildJvm jvm) {
        this.jvm = jvm;
    }

    /** Starts a helper in this mode and returns once it says it is running. */
    static HelperProcess start(String... modeAndArgs) {
        return start(List.of(), modeAndArgs);
    }

    /** The same, with these JVM options besides the ones Hearth needs (LMDB's, for a peer). */
    static HelperProcess start(List<String> moreJvmOptions, String... modeAndArgs) {
        List<String> jvmOptions = new ArrayList<>(JvmOptions.required().arguments());
        jvmOptions.addAll(moreJvmOptions);
        HelperProcess helper = new HelperProcess(ChildJvm.builder(Helper.class).jvmOptions(jvmOptions).args(modeAndArgs)
                .systemProperty("chronicle.analytics.disable", "true")
                .systemProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn").start());
        try {
            helper.await("running", Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            helper.close();
            throw e;
        }
        return helper;
    }

    /** Fails unless the helper is still working: a dead helper would make a contended figure uncontended. */
    void checkAlive() {
        if (!jvm.isAlive()) {
            throw new IllegalStateException("helper " + jvm.pid() + " exited with " + jvm.awaitExit(Duration.ZERO)
                    + " during the benchmark");
        }
    }

    /** Asks the helper to stop and returns how many operations it did. */
    long stop() {
        checkAlive();
        jvm.send("stop");
        return Long.parseLong(await("ops ", Duration.ofSeconds(30)));
    }

    /**
     * The launcher's awaitLine, failing as the rest of the benchmarks do, with an exception: the
     * trial's close goes on closing its other resources after an Exception, not after an Error.
     */
    private String await(String prefix, Duration timeout) {
        try {
            return jvm.awaitLine(prefix, timeout);
        } catch (AssertionError e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        jvm.close();
    }
}
