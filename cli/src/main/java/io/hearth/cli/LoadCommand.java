package io.hearth.cli;

import io.hearth.SharedCounter;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.StoreStats;
import io.hearth.internal.Names;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hearth STORE load}: reads a dump from stdin into the store. The whole stream is read and
 * checked first (kept in a temporary file readable by this user only), then checked against the
 * store's limits, and only then written, so a bad line changes nothing; a write that fails partway
 * (a full store, Redis gone) says exactly which lines were loaded.
 */
@Command(name = "load", description = {
        "Reads a dump from stdin into the store.",
        "",
        "Reads JSON Lines as 'dump' writes them. Each entry is put with what was left of its time to live, each counter set with its value and expiry; what the store has under the same names is overwritten, the rest left alone. Versions are not kept: the store hands out its own. Blank lines are skipped.",
        "",
        "The whole stream is read and checked before anything is written: a line that does not read, or whose name, key or value the store's limits refuse, is refused with its line number (exit status 2) and nothing is loaded. A write that fails partway (store full, Redis unreachable) stops the load and says which lines were loaded (exit status 3). A file store that does not exist is created, once the stream has been read and checked."})
final class LoadCommand extends Subcommand {

    @Option(names = "--dry-run", description = "read and check the stream (and the store's limits, if it exists), write nothing")
    boolean dryRun;

    /** What the first pass found: how much there is, and what the store's limits must take. */
    private static final class Survey {
        int lines;
        long entries;
        long counters;
        final Map<String, Integer> maps = new LinkedHashMap<>(); // name -> its first line
        final Map<String, Integer> counterNames = new LinkedHashMap<>();
        int longestKeyBytes;
        int longestKeyLine;
        int largestValueBytes;
        int largestValueLine;
    }

    @Override
    public Integer call() throws IOException {
        Target target = hearth.target();
        Path spool = Files.createTempFile("hearth-load", ".jsonl"); // rw------- : the values may be private
        try {
            Survey survey = readAndCheck(hearth.in, spool);
            PrintWriter out = out();
            String what = survey.entries + " entries of " + survey.maps.size() + " maps and " + survey.counters + " counters";
            boolean exists = !target.isFile() || Files.exists(target.file());
            if (dryRun && !exists) {
                out.println("would load " + what + " (" + survey.lines + " lines); " + target
                        + " does not exist yet, so its limits were not checked");
                return Exit.OK;
            }
            try (SharedStore store = target.open(!dryRun)) {
                checkLimits(store, survey, exists ? "" : " (the store was created, empty, at " + target + ")");
                if (dryRun) {
                    out.println("would load " + what + " (" + survey.lines + " lines) into " + store.location());
                    return Exit.OK;
                }
                write(store, spool, survey);
                out.println("loaded " + what + " into " + store.location());
                return Exit.OK;
            }
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    /** Reads every line of in, checks it, and copies it to spool; refuses the first bad line before anything is written. */
    private static Survey readAndCheck(InputStream in, Path spool) throws IOException {
        Survey survey = new Survey();
        try (InputStream bytes = new BufferedInputStream(in, 1 << 16);
             BufferedWriter copy = Files.newBufferedWriter(spool, StandardCharsets.UTF_8)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                int b = bytes.read();
                if (b == '\n' || (b < 0 && line.size() > 0)) {
                    survey.lines++;
                    String text = check(line.toByteArray(), survey);
                    copy.write(text);
                    copy.write('\n');
                    line.reset();
                } else if (b >= 0) {
                    line.write(b);
                }
                if (b < 0) {
                    return survey;
                }
            }
        }
    }

    /** One line of the stream, checked and counted in survey; the text to spool. */
    private static String check(byte[] raw, Survey survey) {
        int number = survey.lines;
        int length = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length; // CRLF too
        String text;
        try {
            text = Utf8.decode(Arrays.copyOf(raw, length), "the line");
        } catch (CliException e) {
            throw refused(number, e.getMessage());
        }
        if (text.isBlank()) {
            return "";
        }
        try {
            DumpFormat.Line read = DumpFormat.read(text);
            if (read instanceof DumpFormat.EntryLine entry) {
                Names.check(entry.map(), "map name", Integer.MAX_VALUE, "");
                byte[] key = Names.utf8(entry.key(), "key", Integer.MAX_VALUE, "");
                survey.maps.putIfAbsent(entry.map(), number);
                survey.entries++;
                if (key.length > survey.longestKeyBytes) {
                    survey.longestKeyBytes = key.length;
                    survey.longestKeyLine = number;
                }
                int valueBytes = entry.value().text().getBytes(StandardCharsets.UTF_8).length;
                if (valueBytes > survey.largestValueBytes) {
                    survey.largestValueBytes = valueBytes;
                    survey.largestValueLine = number;
                }
            } else if (read instanceof DumpFormat.CounterLine counter) {
                Names.check(counter.name(), "counter name", Integer.MAX_VALUE, "");
                survey.counterNames.putIfAbsent(counter.name(), number);
                survey.counters++;
            }
        } catch (IllegalArgumentException e) {
            throw refused(number, e.getMessage());
        }
        return text;
    }

    private static CliException refused(int line, String why) {
        return CliException.usage("line " + line + " of the input: " + why + "; nothing was loaded");
    }

    /** Refuses, naming its first line, a name, key or value the store's limits do not take; opens or creates nothing more. */
    private static void checkLimits(SharedStore store, Survey survey, String created) {
        StoreStats stats = store.stats();
        if (survey.longestKeyBytes > stats.maxKeyBytes()) {
            throw limit(survey.longestKeyLine, "its key is " + survey.longestKeyBytes + " bytes of UTF-8, over the limit of "
                    + stats.maxKeyBytes() + " bytes (maxKeyBytes) of " + store.location(), created);
        }
        if (survey.largestValueBytes > stats.maxValueBytes()) {
            throw limit(survey.largestValueLine, "its value is " + survey.largestValueBytes + " bytes of JSON, over the limit of "
                    + stats.maxValueBytes() + " bytes (maxValueBytes) of " + store.location(), created);
        }
        survey.maps.forEach((name, line) -> {
            try {
                store.map(name, RawJson.class); // checks the name; writes nothing
            } catch (IllegalArgumentException e) {
                throw limit(line, e.getMessage(), created);
            }
        });
        survey.counterNames.forEach((name, line) -> {
            try {
                store.findCounter(name); // checks the name; creates nothing
            } catch (IllegalArgumentException e) {
                throw limit(line, e.getMessage(), created);
            }
        });
    }

    private static CliException limit(int line, String why, String created) {
        return CliException.usage("line " + line + " of the input: " + why + "; nothing was loaded" + created);
    }

    /** Writes the spooled lines in order; on a failure, says which were written. */
    private static void write(SharedStore store, Path spool, Survey survey) throws IOException {
        Map<String, SharedMap<RawJson>> maps = new HashMap<>();
        long entries = 0;
        long counters = 0;
        int number = 0;
        try (BufferedReader lines = Files.newBufferedReader(spool, StandardCharsets.UTF_8)) {
            for (String text = lines.readLine(); text != null; text = lines.readLine()) {
                number++;
                if (text.isEmpty()) {
                    continue;
                }
                try {
                    DumpFormat.Line read = DumpFormat.read(text);
                    if (read instanceof DumpFormat.EntryLine entry) {
                        SharedMap<RawJson> map = maps.computeIfAbsent(entry.map(), name -> store.map(name, RawJson.class));
                        if (entry.ttlMillis() > 0) {
                            map.put(entry.key(), entry.value(), Duration.ofMillis(entry.ttlMillis()));
                        } else {
                            map.put(entry.key(), entry.value());
                        }
                        entries++;
                    } else {
                        set(store, (DumpFormat.CounterLine) read);
                        counters++;
                    }
                } catch (RuntimeException e) {
                    throw CliException.store("line " + number + " of the input: " + e.getMessage() + "; lines 1 to " + (number - 1)
                            + " were loaded (" + entries + " entries and " + counters + " counters), line " + number
                            + " and the " + (survey.lines - number) + " after it were not");
                }
            }
        }
    }

    /** Sets the counter to the line's value and expiry, whatever it had. */
    private static void set(SharedStore store, DumpFormat.CounterLine line) {
        if (line.ttlMillis() > 0) {
            Duration timeToLive = Duration.ofMillis(line.ttlMillis());
            SharedCounter counter = store.counter(line.name(), timeToLive); // a counter it creates expires from the start
            counter.set(line.value());
            counter.expire(timeToLive);
        } else {
            SharedCounter counter = store.counter(line.name());
            counter.set(line.value());
            counter.persist();
        }
    }
}
