package io.hearth.http;

import io.hearth.internal.JvmOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real supervisor process, started the way run-workers.sh starts it (SupervisorCommand's main with
 * the JVM options of the jar's manifest), on this module's class path. Its workers are real
 * processes too. close() kills it and every process it started, so a failing test leaks nothing.
 */
final class SupervisorProcess implements AutoCloseable {
    /** Small heaps and quick startup: the test machine has two cores for four JVMs. */
    static final String WORKER_JAVA_OPTS = "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";
    private static final String EOF = "\u0000eof";

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    private SupervisorProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process went away; EOF says so
            }
            lines.add(EOF);
        }, "supervisor-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    static SupervisorProcess start(Map<String, String> environment, String... args) {
        return start(false, environment, args);
    }

    /** As {@link #start}, with stderr among the lines {@link #awaitLine} reads, for its error messages. */
    static SupervisorProcess startReadingErrors(String... args) {
        return start(true, Map.of(), args);
    }

    private static SupervisorProcess start(boolean readErrors, Map<String, String> environment, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx64m");
        command.add("-XX:+UseSerialGC");
        command.addAll(JvmOptions.required().arguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SupervisorCommand.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        if (readErrors) {
            builder.redirectErrorStream(true);
        } else {
            builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        builder.environment().put("HEARTH_WORKER_JAVA_OPTS", WORKER_JAVA_OPTS);
        builder.environment().remove("HEARTH_TOKEN");
        builder.environment().putAll(environment);
        try {
            return new SupervisorProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port that was free a moment ago, on 127.0.0.1. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long pid() {
        return process.pid();
    }

    /** The next stdout line starting with prefix; fails if the process ends or the time passes first. */
    String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("supervisor printed no line starting '" + prefix + "' within " + timeout + "; it printed " + seen);
            }
            if (line.equals(EOF)) {
                lines.add(EOF);
                throw new AssertionError("supervisor ended without printing '" + prefix + "'; it printed " + seen);
            }
            seen.add(line);
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** Sends SIGTERM, as Ctrl-C or a service manager would. */
    void terminate() {
        process.destroy();
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("supervisor still running after " + timeout);
        }
        return process.exitValue();
    }

    /** The processes it started that are still running. */
    List<ProcessHandle> children() {
        return process.descendants().toList();
    }

    @Override
    public void close() {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
