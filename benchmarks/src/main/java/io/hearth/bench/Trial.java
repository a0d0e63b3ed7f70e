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
     * A helper that contends with the benchmark for the whole trial; closing the trial stops it and
     * records how much it did under id (see {@link #recordContention}).
     */
    HelperProcess contender(String id, HelperProcess helper) {
        add(helper);
        long started = System.nanoTime();
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
