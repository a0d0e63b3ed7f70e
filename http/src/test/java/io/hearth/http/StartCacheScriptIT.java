package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.testkit.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up cache of the executable jar, which exists only once the module is packaged: so these
 * run in the integration-test phase (failsafe), on the java Maven runs, after the jar is built.
 * The scripts are run as a user runs them, with that java first on the PATH.
 */
class StartCacheScriptIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path JAR = ROOT.resolve("http/target/hearth-http-exec.jar");
    private static final Duration STARTUP = Duration.ofMinutes(2);
    private static final Pattern SERVING = Pattern.compile("^hearth: 1 workers serving http://127\\.0\\.0\\.1:\\d+ \\(pids \\[(\\d+)]\\).*");

    @Test
    void theScriptWritesACacheThatAWorkerRequiredToUseItStartsFrom(@TempDir Path dir) throws Exception {
        boolean aot = Runtime.version().feature() >= 25;
        Path cache = dir.resolve(aot ? "workers.aot" : "workers.jsa");

        Script made = Script.start(List.of(ROOT.resolve("http/start-cache.sh").toString(), cache.toString()), Map.of());
        assertThat(made.awaitExit(STARTUP)).as(made.output()).isZero();
        assertThat(cache).isNotEmptyFile();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("nothing half-written is left beside the cache").containsExactly(cache);
        }

        // With -Xshare:on (Java 17 to 24) or -XX:AOTMode=on (25 and later) a JVM whose cache does not
        // map exits at once instead of starting without it: a worker serving proves the cache is its.
        String strict = aot ? "-XX:AOTMode=on -XX:AOTCache=" + cache : "-Xshare:on -XX:SharedArchiveFile=" + cache;
        try (Script supervisor = Script.start(List.of(ChildJvm.javaOfThisJvm(), "-Xmx64m", "-jar", JAR.toString(),
                "-n", "1", "-k", "0", "-p", "0", "-s", dir.resolve("strict.store").toString()), Map.of("HEARTH_WORKER_JAVA_OPTS", strict))) {
            String serving = supervisor.awaitLine(SERVING, STARTUP);
            assertThat(commandLine(pidIn(serving))).contains(strict.split(" "));
        }
    }

    @Test
    void runWorkersMakesTheCacheOnceAndStartsEveryWorkerFromIt(@TempDir Path dir) throws Exception {
        List<String> command = List.of(ROOT.resolve("run-workers.sh").toString(), "-n", "1", "-k", "1", "-p", "0",
                "-s", dir.resolve("run.store").toString());
        Map<String, String> environment = Map.of("HEARTH_WORKER_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC");
        String option = Runtime.version().feature() >= 25 ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=";
        String cacheFolder = ROOT.resolve("http/target/start-cache").toString();

        String firstCache;
        try (Script first = Script.start(command, environment)) {
            List<String> workerCommand = commandLine(pidIn(first.awaitLine(SERVING, STARTUP)));
            firstCache = workerCommand.stream().filter(word -> word.startsWith(option + cacheFolder)).findFirst().orElse(null);
            assertThat(firstCache).as("a worker's command line: %s", workerCommand).isNotNull();
            assertThat(Path.of(firstCache.substring(option.length()))).isNotEmptyFile();
            assertThat(workerCommand).contains("-Xmx128m", "-XX:+UseSerialGC");
        }
        try (Script second = Script.start(command, environment)) {
            List<String> workerCommand = commandLine(pidIn(second.awaitLine(SERVING, STARTUP)));
            assertThat(workerCommand).contains(firstCache);
            assertThat(second.output()).as("the second start makes no cache").doesNotContain("making the workers' start-up cache");
        }
    }

    private static long pidIn(String servingLine) {
        Matcher matcher = SERVING.matcher(servingLine);
        assertThat(matcher.matches()).as(servingLine).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    private static List<String> commandLine(long pid) throws IOException {
        return List.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8).split("\0"));
    }

    /** A script or JVM run with this JVM's java first on the PATH; stdout and stderr read as one; closing stops it and all it started. */
    private static final class Script implements AutoCloseable {
        private final Process process;
        private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuffer output = new StringBuffer();
        private final CompletableFuture<Void> drained;

        private Script(Process process) {
            this.process = process;
            this.drained = CompletableFuture.runAsync(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = reader.readLine()) != null; ) {
                        output.append(line).append('\n');
                        lines.add(line);
                    }
                } catch (IOException e) {
                    output.append("(output unreadable: ").append(e).append(")\n");
                }
            });
        }

        static Script start(List<String> command, Map<String, String> environment) throws IOException {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(ROOT.toFile());
            builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
            builder.environment().remove("HEARTH_WORKER_JAVA_OPTS");
            builder.environment().remove("HEARTH_START_CACHE");
            builder.environment().putAll(environment);
            return new Script(builder.start());
        }

        String awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (long left = timeout.toNanos(); left > 0; left = deadline - System.nanoTime()) {
                String line = lines.poll(left, TimeUnit.NANOSECONDS);
                if (line != null && pattern.matcher(line).matches()) {
                    return line;
                }
                if (line == null && !process.isAlive() && drained.isDone() && lines.isEmpty()) {
                    break;
                }
            }
            throw new AssertionError("no line like " + pattern + " within " + timeout + "; the output:\n" + output);
        }

        int awaitExit(Duration timeout) throws InterruptedException {
            assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)).as("exited within %s:\n%s", timeout, output).isTrue();
            drained.join();
            return process.exitValue();
        }

        String output() {
            return output.toString();
        }

        /** SIGTERM, as Ctrl-C or a service manager stops the supervisor, then SIGKILL to whatever is left. */
        @Override
        public void close() throws InterruptedException {
            List<ProcessHandle> started = new ArrayList<>(process.descendants().toList());
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            for (ProcessHandle child : started) {
                child.destroyForcibly();
            }
        }
    }
}
