package io.hearth.bench;

import io.hearth.internal.JvmOptions;
import io.hearth.testkit.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a million ~100-byte entries take on disk and in memory, in Hearth (a default store that
 * grew, a pre-sized one), in Chronicle Map used directly and in LMDB. Not a JMH benchmark: for each
 * store one JVM writes the entries ({@link FootprintSubject} write), {@code du} measures the
 * store's directory, and a fresh JVM opens it and reads every entry once ({@link FootprintSubject}
 * read), reporting its resident memory before and after. Every figure is also given as a ratio to
 * Chronicle Map's. Each JVM gets the same options: a 256 MB heap, the serial collector, the
 * options Chronicle and LmdbJava need.
 *
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar io.hearth.bench.Footprint [--entries N] [--dir DIR] [--out FILE]
 * </pre>
 *
 * {@code --dir} is where the stores are made (a fresh directory under it, deleted afterwards;
 * default benchmarks/tmp), {@code --out} a Markdown file for the table (default: stdout only).
 */
public final class Footprint {
    private Footprint() {
    }

    /** One store's figures; memory in KiB from /proc/self/status, disk in bytes. */
    record Figures(FootprintSubject.Kind kind, long allocatedBytes, long apparentBytes,
                   long[] opened, long[] read) {
        /** RssFile after reading every entry less RssFile once the store was open, in KiB. */
        long fileKibAddedByReading() {
            return read[2] - opened[2];
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int n = Integer.parseInt(options.getOrDefault("entries", Integer.toString(Population.MILLION)));
        Path base = Path.of(options.getOrDefault("dir", "benchmarks/tmp")).toAbsolutePath();
        String load = loadAverage();
        Instant when = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        System.setProperty("hearth.bench.dir", base.toString());
        Path root = Dirs.fresh("footprint");
        List<Figures> all = new ArrayList<>();
        try {
            for (FootprintSubject.Kind kind : FootprintSubject.Kind.values()) {
                all.add(measure(kind, root.resolve(kind.id), n));
            }
        } finally {
            Dirs.delete(root);
        }
        String table = markdown(all, n, when, load, loadAverage(), String.join(" ", args));
        System.out.print(table);
        if (options.containsKey("out")) {
            Files.writeString(Path.of(options.get("out")), table, StandardCharsets.UTF_8);
        }
    }

    /** The load average and how many surefire JVMs (other people's test suites) are running, for the record of a run. */
    static String loadAverage() throws IOException {
        String load = String.join(" ", List.of(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")).subList(0, 3));
        Process pgrep = new ProcessBuilder("pgrep", "-fc", "surefirebooter").redirectErrorStream(true).start();
        String suites = new String(pgrep.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return load + " with " + (suites.isEmpty() ? "?" : suites) + " surefire processes";
    }

    private static Figures measure(FootprintSubject.Kind kind, Path dir, int n) throws IOException {
        System.err.println("[footprint] " + kind.id + ": writing " + n + " entries");
        try (ChildJvm writer = child(kind, "write", dir, n)) {
            writer.awaitLine("done ", Duration.ofMinutes(30));
            check(writer, kind);
        }
        long allocated = du(dir, false);
        long apparent = du(dir, true);
        System.err.println("[footprint] " + kind.id + ": reading every entry in a fresh JVM");
        try (ChildJvm reader = child(kind, "read", dir, n)) {
            long[] opened = kib(reader.awaitLine("opened ", Duration.ofMinutes(5)));
            long[] read = kib(reader.awaitLine("read ", Duration.ofMinutes(30)));
            reader.awaitLine("done ", Duration.ofMinutes(1));
            check(reader, kind);
            return new Figures(kind, allocated, apparent, opened, read);
        }
    }

    private static ChildJvm child(FootprintSubject.Kind kind, String mode, Path dir, int n) {
        List<String> jvmOptions = new ArrayList<>(JvmOptions.required().arguments());
        jvmOptions.addAll(LmdbPeer.JVM_OPTIONS); // LmdbJava reaches into java.nio's buffers
        return ChildJvm.builder(FootprintSubject.class).jvmOptions(jvmOptions)
                .systemProperty("chronicle.analytics.disable", "true")
                .systemProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn")
                .args(kind.id, mode, dir.toString(), Integer.toString(n)).start();
    }

    private static void check(ChildJvm child, FootprintSubject.Kind kind) {
        int exit = child.awaitExit(Duration.ofMinutes(1));
        if (exit != 0) {
            throw new IllegalStateException(kind.id + " exited with " + exit + "; it printed " + child.linesSeen());
        }
    }

    /** {@code du -s -k} of dir, in bytes: the blocks its files take, or with apparent, their lengths. */
    static long du(Path dir, boolean apparent) throws IOException {
        List<String> command = new ArrayList<>(List.of("du", "-s", "-k"));
        if (apparent) {
            command.add("--apparent-size");
        }
        command.add(dir.toString());
        Process du = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (du.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
        return Long.parseLong(out.split("\\s+")[0]) * 1024;
    }

    /** "VmRSS RssAnon RssFile RssShmem" in KiB. */
    private static long[] kib(String fields) {
        String[] parts = fields.trim().split("\\s+");
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = Long.parseLong(parts[i]);
        }
        return values;
    }

    static String markdown(List<Figures> all, int n, Instant when, String loadBefore, String loadAfter, String args) {
        Figures raw = all.stream().filter(f -> f.kind() == FootprintSubject.Kind.CHRONICLE_RAW).findFirst().orElseThrow();
        StringBuilder md = new StringBuilder();
        md.append("# What ").append(String.format(Locale.ROOT, "%,d", n)).append(" entries take\n\n")
                .append("Made by `java -cp benchmarks/target/benchmarks.jar io.hearth.bench.Footprint")
                .append(args.isEmpty() ? "" : " " + args).append("`, run ").append(when)
                .append("; do not edit by hand. Load average (1, 5, 15 min) and test suites running (`pgrep -fc surefirebooter`) before: ")
                .append(loadBefore).append(", after: ").append(loadAfter).append(". Neither moves the disk or memory figures; write times,\n")
                .append("which they do move, are left out.\n\n")
                .append("Keys `user-0000000` to `user-").append(String.format(Locale.ROOT, "%07d", n - 1))
                .append("` (12 bytes), values 111 bytes of JSON (`Population`). One JVM per store writes them; `du` measures the\n")
                .append("store's files; a fresh JVM (256 MB heap, serial GC) opens the store, reads every entry once (Hearth: `SharedMap.get`,\n")
                .append("which decodes the JSON; the others: a copy of the value's bytes), and reads `/proc/self/status` before and after.\n")
                .append("Disk is allocated blocks (`du -k`), then the files' lengths (`du -k --apparent-size`). RssFile counts the JVM's own\n")
                .append("mapped files too (its libraries, the jar), so the column after it is what reading added: RssFile after reading less\n")
                .append("RssFile once the store was open. The ratio in brackets is to Chronicle Map used directly. One measurement each, no\n")
                .append("error bars: the disk figures are exact for this run; the memory figures move by some MB between runs.\n\n");
        md.append("| store | disk (allocated) | files' length | RSS after reading all (VmRSS) | file pages (RssFile) "
                        + "| file pages reading added | anonymous (RssAnon) |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (Figures f : all) {
            md.append("| ").append(f.kind().what).append(" | ")
                    .append(mb(f.allocatedBytes())).append(ratio(f.allocatedBytes(), raw.allocatedBytes())).append(" | ")
                    .append(mb(f.apparentBytes())).append(ratio(f.apparentBytes(), raw.apparentBytes())).append(" | ")
                    .append(mb(f.read()[0] * 1024)).append(ratio(f.read()[0], raw.read()[0])).append(" | ")
                    .append(mb(f.read()[2] * 1024)).append(ratio(f.read()[2], raw.read()[2])).append(" | ")
                    .append(mb(f.fileKibAddedByReading() * 1024)).append(ratio(f.fileKibAddedByReading(), raw.fileKibAddedByReading()))
                    .append(" | ")
                    .append(mb(f.read()[1] * 1024)).append(ratio(f.read()[1], raw.read()[1])).append(" |\n");
        }
        md.append("\nPer entry (disk allocated, and file pages reading added, divided by ")
                .append(String.format(Locale.ROOT, "%,d", n)).append("): ");
        List<String> perEntry = new ArrayList<>();
        for (Figures f : all) {
            perEntry.add("`" + f.kind().id + "` " + Math.round((double) f.allocatedBytes() / n) + " B on disk, "
                    + Math.round(f.fileKibAddedByReading() * 1024.0 / n) + " B resident");
        }
        md.append(String.join("; ", perEntry)).append(".\n");
        return md.toString();
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%,.1f MB", bytes / 1e6);
    }

    private static String ratio(long value, long baseline) {
        return baseline == 0 ? "" : String.format(Locale.ROOT, " (%.2f×)", (double) value / baseline);
    }
}
