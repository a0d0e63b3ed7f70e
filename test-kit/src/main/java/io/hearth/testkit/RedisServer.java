package io.hearth.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real redis-server for tests: Debian's binary on a free loopback port, no persistence,
 * killed on {@link #close()} (and by a shutdown hook should the test JVM exit first). It can be
 * stopped and started again on the same port, and paused (SIGSTOP) to play a server that hangs.
 * When redis-server is missing the test fails saying what to install: never skipped.
 */
public final class RedisServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private final String binary;
    private final int port;
    private final Path dir;
    private final List<String> extraArguments;
    private final Thread killer;
    private Process process;

    private RedisServer(String binary, int port, Path dir, List<String> extraArguments) {
        this.binary = binary;
        this.port = port;
        this.dir = dir;
        this.extraArguments = extraArguments;
        this.killer = new Thread(this::kill, "redis-server killer " + port);
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /** Starts redis-server on a free port of 127.0.0.1 and waits until it answers PING. */
    public static RedisServer start() {
        return start(List.of());
    }

    /** Starts redis-server with these extra arguments, such as {@code --requirepass secret}. */
    public static RedisServer start(List<String> extraArguments) {
        String binary = findBinary();
        try {
            RedisServer server = new RedisServer(binary, Ports.freeLoopbackPort(), Files.createTempDirectory("hearth-redis-test"),
                    List.copyOf(extraArguments));
            server.startAgain();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server: " + e, e);
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT/0?prefix=tN:&...}: a key prefix no other store of this server has, plus options. */
    public String freshStoreUri(String... options) {
        StringBuilder uri = new StringBuilder("redis://127.0.0.1:" + port + "/0?prefix=t" + PREFIXES.incrementAndGet() + ":");
        for (String option : options) {
            uri.append('&').append(option);
        }
        return uri.toString();
    }

    /** Kills the server (as a crash would) and waits until it is gone; its data is lost. */
    public synchronized void stop() {
        kill();
    }

    /** Starts the server again on the same port, empty. */
    public synchronized void startAgain() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " is running");
        }
        List<String> command = new java.util.ArrayList<>(List.of(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(),
                "--protected-mode", "yes", "--loglevel", "warning"));
        command.addAll(extraArguments);
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + ": " + e, e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!answersPing()) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                String log = readLog();
                kill();
                throw new IllegalStateException("redis-server did not answer PING on 127.0.0.1:" + port + " within "
                        + START_TIMEOUT + "; its log: " + log);
            }
            sleep(20);
        }
    }

    /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as with a hung server. */
    public synchronized void pause() {
        signal("-STOP");
    }

    /** Lets a paused server go on (SIGCONT). */
    public synchronized void resume() {
        signal("-CONT");
    }

    @Override
    public synchronized void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs anyway
        }
    }

    private synchronized void kill() {
        if (process != null) {
            if (process.isAlive()) {
                signal("-CONT"); // a paused process still dies of SIGKILL, but resume to be sure its port closes
            }
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, String.valueOf(process.pid())).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            int first = in.read(); // +PONG, or -NOAUTH when a password is required: either way it answers
            return first == '+' || first == '-';
        } catch (IOException e) {
            return false;
        }
    }

    private String readLog() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static String findBinary() {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        for (String fallback : List.of("/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server")) {
            if (Files.isExecutable(Path.of(fallback))) {
                return fallback;
            }
        }
        throw new IllegalStateException("the Redis tests need redis-server on the PATH and there is none: install Debian's "
                + "redis-server (sudo apt-get install redis-server), or run the tests with ./test.sh, which installs it");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
