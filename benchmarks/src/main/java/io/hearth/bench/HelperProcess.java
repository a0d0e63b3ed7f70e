package io.hearth.bench;

import io.hearth.internal.JvmOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Helper} in its own JVM, on this JVM's class path. Started in a benchmark's trial
 * setup, closed in its teardown; a shutdown hook kills it if the benchmark JVM exits first, and
 * the helper itself halts when its stdin closes (this JVM died).
 */
final class HelperProcess implements AutoCloseable {
    private static final String EOF = "\u0000eof";

    private final Process process;
    private final Thread hook;
    private final PrintStream stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private HelperProcess(Process process) {
        this.process = process;
        this.stdin = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.hook = new Thread(process::destroyForcibly, "kill-helper " + process.pid());
        Runtime.getRuntime().addShutdownHook(hook);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process went away; EOF says so
            }
            lines.add(EOF);
        }, "helper-stdout " + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a helper in this mode and returns once it says it is running. */
    static HelperProcess start(String... modeAndArgs) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-Dchronicle.analytics.disable=true");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.addAll(JvmOptions.required().arguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Helper.class.getName());
        command.addAll(List.of(modeAndArgs));
        HelperProcess helper;
        try {
            helper = new HelperProcess(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start helper " + command, e);
        }
        try {
            helper.await("running", Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            helper.close();
            throw e;
        }
        return helper;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Fails unless the helper is still working: a dead helper would make a contended figure uncontended. */
    void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("helper " + process.pid() + " exited with " + process.exitValue()
                    + " during the benchmark");
        }
    }

    /** Asks the helper to stop and returns how many operations it did. */
    long stop() {
        checkAlive();
        stdin.println("stop");
        return Long.parseLong(await("ops ", Duration.ofSeconds(30)));
    }

    private String await(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> seen = new ArrayList<>();
        try {
            while (true) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null || line.equals(EOF)) {
                    throw new IllegalStateException("helper " + process.pid() + (line == null ? " said nothing like '"
                            + prefix + "' within " + timeout : " ended before saying '" + prefix + "'") + "; it printed " + seen);
                }
                seen.add(line);
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length()).trim();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for helper " + process.pid(), e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: nothing to undo
        }
    }
}
