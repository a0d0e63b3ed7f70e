package io.hearth;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A full integrity check of a memory-mapped store: header, counter table (names, duplicates,
 * probe chains), broadcast ring, map locks (none held by a dead process), and the entries file:
 * its map-wide state, every segment's counters, hash lookup slots and free list (each slot must
 * lead a read to a whole entry, and every stored entry must be reachable from a slot), every
 * entry's checksum, and what each entry holds (key shape, version range, JSON), with the entry
 * count recounted. Damage is a line of the report, never an exception; the check never repairs,
 * never attaches, and never writes the entries file. Run it on a quiet store: writes made during
 * the check can show up as a count mismatch.
 *
 * <p>docs/GUARANTEES.md ("Damage the check finds") lists what it verifies and the bit-flip
 * trials behind it.
 *
 * <pre>{@code java <JVM options> -cp <class path> io.hearth.StoreCheck data/hearth.store}</pre>
 * prints what it found and exits 0 when the store is sound, 1 when it is not; a path with no file is
 * one line and exit 2, a file that is not a store one line and exit 1, and neither creates anything.
 */
public final class StoreCheck {
    /**
     * What the check found.
     *
     * @param location the store checked
     * @param problems one line for each thing wrong; empty when the store is sound
     * @param entries  map entries found whole, as reads find them
     * @param counters counter names found
     * @param liveRecoveries times a process repaired the map after another died holding a map lock,
     *                       while others kept running, since the store was created
     */
    public record Report(String location, List<String> problems, long entries, int counters, long liveRecoveries) {
        public Report {
            problems = List.copyOf(problems);
        }

        /** True when nothing is wrong. */
        public boolean sound() {
            return problems.isEmpty();
        }
    }

    private StoreCheck() {
    }

    /** Checks the file store at path. */
    public static Report run(Path path) {
        return run(path.toAbsolutePath().toUri());
    }

    /**
     * Checks the store at uri with its backend's check.
     *
     * @throws UnsupportedOperationException if that backend has no integrity check (Redis)
     */
    public static Report run(URI uri) {
        return SharedStore.provider(uri).check(uri);
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: StoreCheck STORE_FILE");
            System.exit(2);
        }
        Path path = Path.of(args[0]);
        if (!Files.isRegularFile(path)) {
            System.err.println("StoreCheck: no store file at " + path.toAbsolutePath() + " (nothing was checked or created)");
            System.exit(2);
        }
        Report report = run(path);
        if (!report.sound() && report.entries() == 0 && report.counters() == 0) {
            // Nothing could be read (not a store, another format, unreadable): one line says why.
            System.err.println("StoreCheck: " + report.problems().get(0)
                    + (report.problems().size() > 1 ? " (and " + (report.problems().size() - 1) + " more problems)" : ""));
            System.exit(1);
        }
        System.out.println(report.location() + ": " + report.entries() + " entries, " + report.counters() + " counters, "
                + report.liveRecoveries() + " live recoveries");
        report.problems().forEach(problem -> System.out.println("PROBLEM " + problem));
        System.out.println(report.sound() ? "store is sound" : report.problems().size() + " problems");
        System.exit(report.sound() ? 0 : 1);
    }
}
