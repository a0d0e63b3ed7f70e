package io.hearth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * What one benchmark trial opened: a fresh directory, stores, maps and helper processes, closed
 * in reverse order by {@link #close()} even when one of them fails to close.
 */
final class Trial implements AutoCloseable {
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    final Path dir;

    private Trial(String name) {
        this.dir = Dirs.fresh(name);
        opened.push(() -> Dirs.delete(dir));
    }

    /** A trial set up by setUp; when setUp throws, whatever it opened is closed before the exception goes on. */
    static Trial open(String name, Consumer<Trial> setUp) {
        Trial trial = new Trial(name);
        try {
            setUp.accept(trial);
            return trial;
        } catch (RuntimeException e) {
            try {
                trial.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    <T extends AutoCloseable> T add(T resource) {
        opened.push(resource);
        return resource;
    }

    /**
     * How long each side of a contended benchmark first runs its operation alone: this JVM before
     * it starts the helper, then the helper before it says it is running. With both cores busy
     * once they contend, the JIT threads get little CPU, and the JMH warm-up of a quick run would
     * end before either side's code is compiled (Hearth's write path, with Chronicle's, took about
     * 7 s to settle that way on 2 cores). The same for every store, Hearth's, its floors and its peers.
     */
    static final java.time.Duration ALONE_WARM_UP = java.time.Duration.ofSeconds(2);

    /**
     * A helper that contends with the benchmark for the whole trial, started once operation has run
     * alone for {@link #ALONE_WARM_UP}; closing the trial stops it and records how much it did under
     * id (see {@link #recordContention}).
     */
    HelperProcess contender(String id, Runnable operation, java.util.function.Supplier<HelperProcess> start) {
        long end = System.nanoTime() + ALONE_WARM_UP.toNanos();
        while (System.nanoTime() - end < 0) {
            for (int i = 0; i < 100; i++) {
                operation.run();
            }
        }
        HelperProcess helper = start.get();
        add(helper);
        long started = System.nanoTime(); // it counts its operations from "running" on, as this does its seconds
        add(() -> recordContention(id, helper, started));
        return helper;
    }

    /** A helper that answers the benchmark (an echo); closing the trial stops it cleanly before killing it. */
    HelperProcess partner(HelperProcess helper) {
        add(helper);
        add(helper::stop);
        return helper;
    }

    /**
     * Stops the contending helper and appends "id, helper ops, seconds" to contention.tsv in the
     * bench dir, so the report can show that the other process really worked the whole trial.
     */
    private static void recordContention(String id, HelperProcess helper, long startNanos) {
        long ops = helper.stop();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Path file = Path.of(System.getProperty("hearth.bench.dir", System.getProperty("java.io.tmpdir")), "contention.tsv");
        String line = id + "\t" + ops + "\t" + String.format("%.3f", seconds) + "\n";
        try {
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.printf("%n%s: the contending process did %,d operations in %.1f s (%,.0f/s)%n", id, ops, seconds, ops / seconds);
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing the trial's resources failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
