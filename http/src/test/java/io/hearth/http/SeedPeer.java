package io.hearth.http;

import io.hearth.testkit.Ports;
import io.hearth.testkit.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The seed's accepted answer, run as issue 13 measures it: {@code src/test/python/seed_app.py}
 * (FastAPI, one counter in Redis) under gunicorn with uvicorn workers, on a loopback port, beside a
 * redis-server of its own. It needs Debian's gunicorn, python3-fastapi, python3-uvicorn and
 * python3-redis; when gunicorn is missing, {@link #start} fails saying what to install.
 * Closing stops gunicorn (its master and workers) and Redis.
 */
final class SeedPeer implements AutoCloseable {
    private static final Path APP = Path.of("src/test/python/seed_app.py");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final RedisServer redis;
    private final Process gunicorn;
    private final int port;

    private SeedPeer(RedisServer redis, Process gunicorn, int port) {
        this.redis = redis;
        this.gunicorn = gunicorn;
        this.port = port;
    }

    /** Starts Redis, then gunicorn with this many workers, and waits until GET /report answers. */
    static SeedPeer start(int workers, Path logDir) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/gunicorn"))) {
            throw new IllegalStateException("the seed's answer needs Debian's gunicorn, python3-fastapi, python3-uvicorn and"
                    + " python3-redis: apt-get install gunicorn python3-fastapi python3-uvicorn python3-redis");
        }
        RedisServer redis = RedisServer.start();
        int port = Ports.freeLoopbackPort();
        ProcessBuilder builder = new ProcessBuilder("/usr/bin/gunicorn", "--workers", Integer.toString(workers),
                "--worker-class", "uvicorn.workers.UvicornWorker", "--bind", "127.0.0.1:" + port,
                "--chdir", APP.toAbsolutePath().getParent().toString(), "seed_app:app")
                .redirectErrorStream(true).redirectOutput(logDir.resolve("gunicorn.log").toFile());
        builder.environment().put("REDIS_PORT", Integer.toString(redis.port()));
        SeedPeer peer = new SeedPeer(redis, builder.start(), port);
        try {
            peer.awaitServing(workers);
        } catch (RuntimeException | InterruptedException e) {
            peer.close();
            throw e;
        }
        return peer;
    }

    int port() {
        return port;
    }

    /** gunicorn's workers: the master holds the socket too, but is not a worker, and is never killed. */
    List<ProcessHandle> workers() {
        return gunicorn.descendants().toList();
    }

    @Override
    public void close() {
        List<ProcessHandle> workers = workers();
        gunicorn.destroyForcibly();
        workers.forEach(ProcessHandle::destroyForcibly);
        try {
            gunicorn.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        redis.close();
    }

    private void awaitServing(int workers) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!gunicorn.isAlive()) {
                throw new IllegalStateException("gunicorn exited with status " + gunicorn.exitValue() + " before serving");
            }
            try {
                if (workers().size() >= workers && RawHttp.request(port, "GET", "/report").status() == 200) {
                    return;
                }
            } catch (UncheckedIOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("gunicorn did not answer GET /report on port " + port + " within " + START_TIMEOUT);
    }
}
