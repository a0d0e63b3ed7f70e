package io.hearth.testkit;

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

/** A real JVM on the test class path, running one main class; killed on close. Its stderr goes to ours. */
public final class ChildJvm implements AutoCloseable {
    private static final String EOF = "\u0000eof";

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final PrintStream stdin;

    private ChildJvm(Process process) {
        this.process = process;
        this.stdin = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process went away; EOF below says so
            }
            lines.add(EOF);
        }, "child-stdout " + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts mainClass with the JVM options Hearth needs. */
    public static ChildJvm start(Class<?> mainClass, String... args) {
        return startWithJvmOptions(JvmOptions.required().arguments(), mainClass, args);
    }

    /** Starts mainClass with these module options only. */
    public static ChildJvm startWithJvmOptions(List<String> jvmOptions, Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        try {
            return new ChildJvm(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command, e);
        }
    }

    public long pid() {
        return process.pid();
    }

    /** Whether the child is still running: false once it exited or was killed. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends a line to the child's stdin. */
    public void send(String line) {
        stdin.println(line);
    }

    /** The next line the child prints that starts with prefix; fails if it exits or the time passes first. */
    public String awaitLine(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("child " + pid() + " printed no line starting '" + prefix + "' within "
                            + timeout + "; it printed " + seen);
                }
                if (line.equals(EOF)) {
                    lines.add(EOF);
                    throw new AssertionError("child " + pid() + " ended without printing '" + prefix + "'; it printed " + seen);
                }
                seen.add(line);
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length()).trim();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Every line read so far, in order. */
    public List<String> linesSeen() {
        return List.copyOf(seen);
    }

    /** Waits for the child to exit and returns its exit code. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("child " + pid() + " still running after " + timeout + "; it printed " + seen);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Kills the child as SIGKILL would and waits until it is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
