package io.hearth.testkit;

import io.hearth.internal.JvmOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A real JVM running one main class, on this JVM's class path and this JVM's {@code java}
 * ({@link #javaOfThisJvm()}): made by {@link #builder}, killed on
 * {@link #close()}, and by a shutdown hook should this JVM exit first. By default it gets a 256 MB
 * heap, the serial collector and the JVM options Hearth needs on this Java version ({@link JvmOptions#required()}); its
 * stderr goes to ours, and one thread reads its stdout into lines for {@link #awaitLine}.
 *
 * <pre>{@code
 * try (ChildJvm child = ChildJvm.builder(StoreChild.class).args("read", path).start()) {
 *     assertThat(child.awaitLine("COUNTER", Duration.ofMinutes(1))).isEqualTo("42");
 * }
 * }</pre>
 *
 * <p>Thread safety: {@link #awaitLine}, {@link #linesSeen}, {@link #awaitExit} and {@link #send}
 * are for one thread at a time (the test's); {@link #pid}, {@link #isAlive}, {@link #descendants},
 * {@link #terminate}, {@link #kill} and {@link #close} may be called from any thread. Failures to
 * see a line or an exit in time are {@link AssertionError}s that quote every line read so far.
 */
public final class ChildJvm implements AutoCloseable {
    /** What the reader puts after the last line; compared by identity, so no line the child prints can be it. */
    private static final String EOF = new String("end of stdout");

    private final String name;
    private final Process process;
    private final boolean killDescendantsOnClose;
    private final PrintStream stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final Thread hook;

    private ChildJvm(String mainClass, Process process, boolean killDescendantsOnClose) {
        this.name = mainClass + " " + process.pid();
        this.process = process;
        this.killDescendantsOnClose = killDescendantsOnClose;
        this.stdin = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.hook = new Thread(this::killEverything, "kill " + name);
        Runtime.getRuntime().addShutdownHook(hook);
        Thread reader = new Thread(this::readStdout, "stdout of " + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts mainClass with these arguments and everything else as the {@link Builder} leaves it by default. */
    public static ChildJvm start(Class<?> mainClass, String... args) {
        return builder(mainClass).args(args).start();
    }

    /** A child JVM that will run mainClass's {@code main}. */
    public static Builder builder(Class<?> mainClass) {
        return new Builder(mainClass);
    }

    public long pid() {
        return process.pid();
    }

    /** Whether the child is still running: false once it exited or was killed. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The processes the child started, and theirs, that are still running. */
    public List<ProcessHandle> descendants() {
        return process.descendants().toList();
    }

    /** Sends a line to the child's stdin. */
    public void send(String line) {
        stdin.println(line);
    }

    /**
     * Reads the child's lines up to the next one that starts with prefix and returns the rest of
     * that line, trimmed; fails if the child's stdout ends or the time passes first.
     */
    public String awaitLine(String prefix, Duration timeout) {
        return awaitMatching(line -> line.startsWith(prefix), "starting '" + prefix + "'", timeout).substring(prefix.length()).trim();
    }

    /** Waits up to timeout for a line that contains text (log lines start with a timestamp); returns the whole line. */
    public String awaitLineContaining(String text, Duration timeout) {
        return awaitMatching(line -> line.contains(text), "containing '" + text + "'", timeout);
    }

    private String awaitMatching(Predicate<String> wanted, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError(name + " printed no line " + what + " within " + timeout
                            + "; it printed " + seen);
                }
                if (line == EOF) {
                    lines.add(EOF);
                    throw new AssertionError(name + " ended without printing a line " + what + "; it printed " + seen);
                }
                seen.add(line);
                if (wanted.test(line)) {
                    return line;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + name, e);
        }
    }

    /** Waits up to timeout for the child's output to end; returns every line it printed, in order. */
    public List<String> awaitAllLines(Duration timeout) {
        try {
            awaitMatching(line -> false, "(reading to the end)", timeout);
        } catch (AssertionError ended) {
            if (!lines.contains(EOF)) {
                throw ended;
            }
        }
        return linesSeen();
    }

    /** Takes in, without waiting, the lines the child has printed so far; returns every line read, in order. */
    public List<String> readAvailableLines() {
        for (String line = lines.peek(); line != null && line != EOF; line = lines.peek()) {
            seen.add(lines.poll());
        }
        return linesSeen();
    }

    /** Every line {@link #awaitLine} has read so far, in order. */
    public List<String> linesSeen() {
        return List.copyOf(seen);
    }

    /** Waits for the child to exit and returns its exit code; fails if it still runs after the timeout. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " still running after " + timeout + "; it printed " + seen);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + name, e);
        }
    }

    /** Sends the named signal ("STOP", "CONT", ...) with kill(1) and returns once it is sent. */
    public void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new AssertionError("kill -" + signal + " " + process.pid() + " failed with exit code " + kill.exitValue());
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("could not run kill -" + signal + " " + process.pid(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted sending " + signal + " to " + name, e);
        }
    }

    /** Sends SIGTERM, as Ctrl-C or a service manager would, and returns at once. */
    public void terminate() {
        process.destroy();
    }

    /** Kills the child alone, as SIGKILL would, and waits until it is gone; what it started lives on. */
    public void kill() {
        process.destroyForcibly();
        awaitGone(process.toHandle());
    }

    /** Kills the child (and what it started, if the builder said {@link Builder#killDescendantsOnClose}); safe twice. */
    @Override
    public void close() {
        killEverything();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it kills the same
        }
    }

    private void killEverything() {
        // Listed first: once the child is dead its children are no longer its descendants.
        List<ProcessHandle> descendants = killDescendantsOnClose ? descendants() : List.of();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        awaitGone(process.toHandle());
        descendants.forEach(ChildJvm::awaitGone);
    }

    private static void awaitGone(ProcessHandle process) {
        try {
            process.onExit().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // nothing more to do than SIGKILL; a test that needs it gone asserts so itself
        }
    }

    private void readStdout() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException ignored) {
            // the process went away; EOF below says so
        }
        lines.add(EOF);
    }

    /**
     * The {@code java} of the JVM running this code, the one the tests run on (Java 17, or the
     * {@code JAVA_HOME} Maven was given), never whichever {@code java} is first on the PATH.
     */
    public static String javaOfThisJvm() {
        return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** How to start a {@link ChildJvm}; each method returns this builder. Not thread-safe. */
    public static final class Builder {
        private final Class<?> mainClass;
        private final List<String> args = new ArrayList<>();
        private List<String> jvmOptions = JvmOptions.required().arguments();
        private final List<String> systemProperties = new ArrayList<>();
        private String heap = "256m";
        /** Variables to set, or to remove where the value is null; the last call for a name wins. */
        private final Map<String, String> environment = new LinkedHashMap<>();
        private boolean stderrInLines;
        private boolean killDescendantsOnClose;
        private final List<String> classPathExclusions = new ArrayList<>();
        private List<String> launcher = List.of();

        private Builder(Class<?> mainClass) {
            this.mainClass = mainClass;
        }

        /** Leaves out of the child's class path every entry whose path contains fragment (a logging binding, say). */
        public Builder classPathWithout(String fragment) {
            classPathExclusions.add(fragment);
            return this;
        }

        /** Appends arguments for main. */
        public Builder args(String... more) {
            args.addAll(List.of(more));
            return this;
        }

        /** Replaces the JVM options Hearth needs with these, for a child that must lack some. */
        public Builder jvmOptions(List<String> options) {
            jvmOptions = List.copyOf(options);
            return this;
        }

        /** Adds {@code -Dname=value}. */
        public Builder systemProperty(String name, String value) {
            systemProperties.add("-D" + name + "=" + value);
            return this;
        }

        /** The maximum heap, as -Xmx takes it: {@code "64m"}. 256m unless set. */
        public Builder heap(String maxHeap) {
            heap = maxHeap;
            return this;
        }

        /** Sets these variables in the child's environment, which is otherwise ours. */
        public Builder environment(Map<String, String> variables) {
            environment.putAll(variables);
            return this;
        }

        /** Removes this variable from the child's environment, unless a later {@link #environment} call sets it. */
        public Builder unsetEnvironment(String name) {
            environment.put(name, null);
            return this;
        }

        /**
         * Starts the JVM through this command, which must end by exec'ing the command line it is
         * given after its own words (as {@link OwnNetwork#launcher()} does), so the child's pid is the JVM's.
         */
        public Builder launchedBy(List<String> command) {
            launcher = List.copyOf(command);
            return this;
        }

        /** Reads the child's stderr into the lines {@link #awaitLine} sees, with its stdout, instead of passing it to ours. */
        public Builder stderrInLines() {
            stderrInLines = true;
            return this;
        }

        /** Has {@link ChildJvm#close()} (and the shutdown hook) kill every process the child started too, not only the child. */
        public Builder killDescendantsOnClose() {
            killDescendantsOnClose = true;
            return this;
        }

        /** Starts the JVM and returns at once; fails if it cannot be started at all. */
        public ChildJvm start() {
            List<String> command = new ArrayList<>(launcher);
            command.add(javaOfThisJvm());
            command.add("-Xmx" + heap);
            command.add("-XX:+UseSerialGC");
            command.addAll(jvmOptions);
            command.addAll(systemProperties);
            command.add("-cp");
            command.add(java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                    .filter(entry -> classPathExclusions.stream().noneMatch(entry::contains))
                    .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator)));
            command.add(mainClass.getName());
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command);
            if (stderrInLines) {
                builder.redirectErrorStream(true);
            } else {
                builder.redirectError(ProcessBuilder.Redirect.INHERIT);
            }
            environment.forEach((name, value) -> {
                if (value == null) {
                    builder.environment().remove(name);
                } else {
                    builder.environment().put(name, value);
                }
            });
            try {
                return new ChildJvm(mainClass.getSimpleName(), builder.start(), killDescendantsOnClose);
            } catch (IOException e) {
                throw new IllegalStateException("cannot start " + command + ": " + e, e);
            }
        }
    }
}
