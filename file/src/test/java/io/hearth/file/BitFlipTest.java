package io.hearth.file;

import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.StoreCheck;
import io.hearth.Versioned;
import io.hearth.file.EntriesRegions.Region;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single bit flips in a closed store's entries file, one per trial on a fresh copy of one small
 * store (300 entries of four sizes in two maps, some rewritten at another size, some removed, over
 * four Chronicle segments). Each trial aims at one kind of byte, or anywhere. Whenever what a
 * reader sees through SharedStore changes (a value or its version, a key missing or appearing,
 * keys(), size(), or a call that fails), StoreCheck must report a problem; a flip that changes
 * nothing a reader sees may pass as sound. Flips in the bytes an entry's checksum covers, and in
 * occupied hash lookup slots, must always be reported. StoreCheck never throws and never changes
 * a byte of the entries file.
 *
 * <p>Each run draws new offsets; {@code -Dhearth.bitflip.seed=N} repeats a run,
 * {@code -Dhearth.bitflip.rounds=N} makes it N times as long, {@code -Dhearth.bitflip.verbose=true}
 * prints each trial's report. The table of what landed where, what the check said and what reads
 * saw is printed, for docs/GUARANTEES.md.
 */
class BitFlipTest {
    record Sample(String text, int n) {
    }

    private static final List<String> MAPS = List.of("alpha", "beta");
    private static final int KEYS_PER_MAP = 150;
    private static final int[] TEXT_LENGTHS = {4, 50, 200, 600};

    /** Where damage is aimed, and how many trials each aim gets. */
    private enum Aim {
        VALUE(35, EnumSet.of(Region.VALUE)),
        KEY(25, EnumSet.of(Region.KEY)),
        SIZES_AND_CHECKSUM(15, EnumSet.of(Region.KEY_SIZE, Region.VALUE_SIZE, Region.CHECKSUM)),
        OCCUPIED_LOOKUP_SLOT(25, EnumSet.of(Region.LOOKUP_OCCUPIED)),
        EMPTY_LOOKUP_SLOT(10, EnumSet.of(Region.LOOKUP_EMPTY)),
        SEGMENT_HEADER(25, EnumSet.of(Region.SEGMENT_LOCK, Region.SEGMENT_COUNTS, Region.SEGMENT_NEXT_TIER)),
        FREE_LIST(10, EnumSet.of(Region.FREE_LIST)),
        CHRONICLE_HEADER(4, EnumSet.of(Region.CHRONICLE_HEADER)),
        MAP_STATE(6, EnumSet.of(Region.MAP_STATE)),
        ANYWHERE(45, EnumSet.allOf(Region.class));

        final int trials;
        final Set<Region> regions;

        Aim(int trials, Set<Region> regions) {
            this.trials = trials;
            this.regions = regions;
        }
    }

    /**
     * Damage a reader can meet without harm to the test JVM. Elsewhere, once the check has found
     * the damage, reads are not tried: a flipped lock word holds a read for Chronicle's 60 s
     * timeout, a flipped header readiness bit holds an open for a minute, and a flipped tier index
     * or map state makes Chronicle map (and allocate) far past the file's end.
     */
    private static final Set<Region> SAFE_TO_READ_DAMAGED = EnumSet.of(Region.VALUE, Region.KEY, Region.KEY_SIZE,
            Region.VALUE_SIZE, Region.CHECKSUM, Region.ENTRY_SLACK, Region.LOOKUP_OCCUPIED, Region.LOOKUP_EMPTY,
            Region.FREE_LIST, Region.FREE_ENTRY_SPACE, Region.SEGMENT_COUNTS, Region.UNUSED);

    private static final Set<Region> ALWAYS_REPORTED = EnumSet.of(Region.KEY_SIZE, Region.KEY, Region.VALUE_SIZE,
            Region.VALUE, Region.CHECKSUM, Region.LOOKUP_OCCUPIED);

    @TempDir
    Path dir;

    @Test
    void everyBitFlipThatChangesWhatAReadSeesIsReportedByTheCheck() throws IOException {
        long seed = Long.getLong("hearth.bitflip.seed", System.nanoTime());
        Random random = new Random(seed);
        Path path = dir.resolve("store.hearth");
        Path entries = EntriesFile.pathOf(path);
        populate(path);
        Map<String, String> expected = observe(path);
        assertThat(expected).as("the store reads back as written").containsEntry("alpha/k-1", String.valueOf(
                new Versioned<>(new Sample("x".repeat(TEXT_LENGTHS[1]), 1), 2)));
        assertThat(StoreCheck.run(path).problems()).as("the store before any damage").isEmpty();
        EntriesRegions regions = EntriesRegions.of(path);
        assertThat(regions.segments()).as("Chronicle segments").isEqualTo(4);
        byte[] pristineEntries = Files.readAllBytes(entries);
        byte[] pristineStore = Files.readAllBytes(path);

        Map<Region, Outcomes> byRegion = new EnumMap<>(Region.class);
        List<String> failures = new ArrayList<>();
        int rounds = Integer.getInteger("hearth.bitflip.rounds", 1);
        for (int round = 0; round < rounds; round++) {
            for (Aim aim : Aim.values()) {
                for (int trial = 0; trial < aim.trials; trial++) {
                    Files.write(path, pristineStore);
                    Files.write(entries, pristineEntries);
                    int offset = regions.randomOffsetIn(aim.regions, random);
                    int bit = random.nextInt(Byte.SIZE);
                    FileDamage.flipBit(entries, offset, bit);
                    Region landed = regions.at(offset);
                    String what = "bit " + bit + " of byte " + offset + " (" + landed + ", aimed at " + aim + ")";
                    checkAndRead(path, landed, what, expected, byRegion.computeIfAbsent(landed, region -> new Outcomes()), failures);
                }
            }
        }
        System.out.println(table(byRegion, seed));
        assertThat(failures).as("bit flips, seed " + seed + " (-Dhearth.bitflip.seed=" + seed + " repeats them)").isEmpty();
    }

    /** One damaged store: what the check says, what reads see, and whether the two agree. */
    private static void checkAndRead(Path path, Region landed, String what, Map<String, String> expected, Outcomes outcomes,
                                     List<String> failures) throws IOException {
        Path entries = EntriesFile.pathOf(path);
        byte[] damaged = Files.readAllBytes(entries);
        StoreCheck.Report report;
        try {
            report = StoreCheck.run(path);
        } catch (RuntimeException | Error e) {
            failures.add(what + ": StoreCheck threw " + e);
            return;
        }
        if (!Arrays.equals(damaged, Files.readAllBytes(entries))) {
            failures.add(what + ": StoreCheck changed the entries file (" + damaged.length + " bytes before, "
                    + Files.size(entries) + " after)");
        }
        boolean reported = !report.sound();
        if (Boolean.getBoolean("hearth.bitflip.verbose")) {
            System.out.println(what + ": " + report.problems());
        }
        Map<String, String> seen = !reported || SAFE_TO_READ_DAMAGED.contains(landed) ? observe(path) : null;
        boolean changed = seen != null && !seen.equals(expected);
        outcomes.count(reported, seen == null ? null : changed);
        if (changed && !reported) {
            failures.add(what + ": reads changed (" + difference(expected, seen) + ") but StoreCheck found the store sound");
        }
        if (ALWAYS_REPORTED.contains(landed) && !reported) {
            failures.add(what + ": StoreCheck found the store sound");
        }
    }

    /** 300 entries in two maps, four sizes, a fifth rewritten at another size, a ninth removed. */
    private static void populate(Path path) {
        try (SharedStore store = SharedStore.builder(path).maxEntries(2_000).maxValueBytes(1_024).maxCounters(16)
                .maxWorkers(8).maxBroadcastBytes(256).open()) {
            for (String name : MAPS) {
                SharedMap<Sample> map = store.map(name, Sample.class);
                for (int i = 0; i < KEYS_PER_MAP; i++) {
                    map.put("k-" + i, new Sample("x".repeat(TEXT_LENGTHS[i % TEXT_LENGTHS.length]), i));
                }
                for (int i = 0; i < KEYS_PER_MAP; i += 5) {
                    map.put("k-" + i, new Sample("y".repeat(TEXT_LENGTHS[(i / 5 + 1) % TEXT_LENGTHS.length]), -i));
                }
                for (int i = 0; i < KEYS_PER_MAP; i += 9) {
                    map.remove("k-" + i);
                }
            }
        }
    }

    /** Everything a reader sees: every key read (removed ones too), each map's keys and size, or what failed. */
    private static Map<String, String> observe(Path path) {
        Map<String, String> seen = new TreeMap<>();
        try (SharedStore store = SharedStore.open(path)) {
            for (String name : MAPS) {
                SharedMap<Sample> map = store.map(name, Sample.class);
                for (int i = 0; i < KEYS_PER_MAP; i++) {
                    String key = "k-" + i;
                    seen.put(name + "/" + key, outcome(() -> String.valueOf(map.getVersioned(key))));
                }
                seen.put(name + " keys", outcome(() -> map.keys().toString()));
                seen.put(name + " size", outcome(() -> String.valueOf(map.size())));
            }
        } catch (RuntimeException e) {
            seen.put("open or close", "threw " + e.getClass().getName());
        }
        return seen;
    }

    private static String outcome(Supplier<String> read) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            return "threw " + e.getClass().getName();
        }
    }

    private static String difference(Map<String, String> expected, Map<String, String> seen) {
        List<String> lines = new ArrayList<>();
        Set<String> names = new java.util.TreeSet<>(expected.keySet());
        names.addAll(seen.keySet());
        for (String name : names) {
            if (!String.valueOf(expected.get(name)).equals(String.valueOf(seen.get(name)))) {
                lines.add(name + ": " + expected.get(name) + " -> " + seen.get(name));
            }
        }
        return lines.size() > 3 ? lines.subList(0, 3) + " and " + (lines.size() - 3) + " more" : lines.toString();
    }

    /** What the check said and what reads saw, for the flips that landed in one region. */
    private static final class Outcomes {
        int trials;
        int reported;
        int changed;
        int reportedUnchanged;
        int soundUnchanged;
        int notRead;

        /** @param changed whether reads changed, null when reads were not tried */
        void count(boolean wasReported, Boolean changedReads) {
            trials++;
            if (wasReported) {
                reported++;
            }
            if (changedReads == null) {
                notRead++;
            } else if (changedReads) {
                changed++;
            } else if (wasReported) {
                reportedUnchanged++;
            } else {
                soundUnchanged++;
            }
        }
    }

    private static String table(Map<Region, Outcomes> byRegion, long seed) {
        StringBuilder table = new StringBuilder("bit flips by the region they landed in (seed " + seed + ")\n");
        table.append(String.format("%-18s %6s %8s %13s %26s %23s %21s%n", "region", "trials", "reported",
                "reads changed", "reported, reads unchanged", "sound, reads unchanged", "reported, not read"));
        Outcomes total = new Outcomes();
        byRegion.forEach((region, o) -> {
            table.append(String.format("%-18s %6d %8d %13d %26d %23d %21d%n", region, o.trials, o.reported, o.changed,
                    o.reportedUnchanged, o.soundUnchanged, o.notRead));
            total.trials += o.trials;
            total.reported += o.reported;
            total.changed += o.changed;
            total.reportedUnchanged += o.reportedUnchanged;
            total.soundUnchanged += o.soundUnchanged;
            total.notRead += o.notRead;
        });
        table.append(String.format("%-18s %6d %8d %13d %26d %23d %21d%n", "all", total.trials, total.reported, total.changed,
                total.reportedUnchanged, total.soundUnchanged, total.notRead));
        return table.toString();
    }
}
