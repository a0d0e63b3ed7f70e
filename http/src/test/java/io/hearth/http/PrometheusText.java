package io.hearth.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4
 * (prometheus.io/docs/instrumenting/exposition_formats), for tests: the Prometheus Java client writes
 * this format but has no parser, and no maintained Java parser of it was found on Maven Central. Every line is checked
 * against the format's grammar, and any it forbids is refused with an {@link IllegalArgumentException}
 * that names the line, its number and the reason:
 *
 * <ul>
 *   <li>{@code # HELP name docstring} (escapes {@code \\} and {@code \n} only) and {@code # TYPE name type}
 *       with type counter, gauge, histogram, summary or untyped: at most one of each per family, before
 *       the family's first sample; other comments are skipped;
 *   <li>samples {@code name{label="value",...} value [timestamp]}: names {@code [a-zA-Z_:][a-zA-Z0-9_:]*},
 *       label names {@code [a-zA-Z_][a-zA-Z0-9_]*} not starting with {@code __} and not repeated, label
 *       values with the escapes {@code \\}, {@code \"} and {@code \n} only, a value as Go's ParseFloat
 *       takes it in decimal ({@code NaN}, {@code +Inf}, {@code -Inf} included), an optional integer
 *       timestamp; the same name and labels at most once;
 *   <li>the samples of a family in one group; the text ends with a line feed;
 *   <li>a counter's samples are not negative (nor NaN);
 *   <li>a histogram's samples are {@code _bucket} (with {@code le}), {@code _sum} and {@code _count}; for each
 *       label set its buckets come in increasing {@code le}, their counts never decrease, the last is
 *       {@code le="+Inf"} and equals {@code _count}, and {@code _sum} is there;
 *   <li>a summary's samples are the family's name (with {@code quantile} from 0 to 1), {@code _sum} and
 *       {@code _count}, both there for each label set.
 * </ul>
 *
 * Stricter than Prometheus in two places, both as OpenMetrics requires: buckets must be written in
 * increasing order, and hexadecimal values are refused.
 */
final class PrometheusText {
    enum Type { COUNTER, GAUGE, HISTOGRAM, SUMMARY, UNTYPED }

    record Sample(String name, Map<String, String> labels, double value) {
    }

    record Family(String name, Type type, String help, List<Sample> samples) {
    }

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern NUMBER = Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");
    private static final Pattern TIMESTAMP = Pattern.compile("-?[0-9]{1,19}");

    private final Map<String, Family> families;

    private PrometheusText(Map<String, Family> families) {
        this.families = Collections.unmodifiableMap(families);
    }

    /** The families of text, in the order written; refuses text that breaks the format. */
    static PrometheusText parse(String text) {
        return new Reader().read(text);
    }

    Map<String, Family> families() {
        return families;
    }

    Family family(String name) {
        Family family = families.get(name);
        if (family == null) {
            throw new IllegalArgumentException("no metric family '" + name + "'; there are " + families.keySet());
        }
        return family;
    }

    /** Every sample named sampleName, of whichever family. */
    List<Sample> samples(String sampleName) {
        List<Sample> found = new ArrayList<>();
        families.values().forEach(family -> family.samples().stream().filter(s -> s.name().equals(sampleName)).forEach(found::add));
        return found;
    }

    /** The value of the sample with exactly these labels, given as name, value, name, value... */
    double value(String sampleName, String... labelNamesAndValues) {
        if (labelNamesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name, value pairs: " + List.of(labelNamesAndValues));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < labelNamesAndValues.length; i += 2) {
            labels.put(labelNamesAndValues[i], labelNamesAndValues[i + 1]);
        }
        List<Sample> named = samples(sampleName);
        return named.stream().filter(s -> s.labels().equals(labels)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no sample " + sampleName + labels + "; with that name there are " + named))
                .value();
    }

    /** One pass over the lines; a family is open from its first line until another family's line. */
    private static final class Reader {
        private final Map<String, Type> types = new LinkedHashMap<>();
        private final Map<String, String> helps = new LinkedHashMap<>();
        private final Map<String, List<Sample>> samples = new LinkedHashMap<>();
        private final Set<String> seen = new LinkedHashSet<>();
        private final Set<String> closed = new HashSet<>();
        private final Set<Map.Entry<String, Map<String, String>>> series = new HashSet<>();
        private String open;
        private int number;
        private String line;

        PrometheusText read(String text) {
            if (!text.isEmpty() && !text.endsWith("\n")) {
                throw new IllegalArgumentException("the text does not end with a line feed; its last line: " + text.substring(text.lastIndexOf('\n') + 1));
            }
            for (String each : text.split("\n", -1)) {
                number++;
                line = each;
                String trimmed = each.strip();
                if (trimmed.isEmpty()) {
                    continue;
                }
                if (trimmed.startsWith("#")) {
                    comment(trimmed);
                } else {
                    sample(new Cursor(trimmed));
                }
            }
            Map<String, Family> families = new LinkedHashMap<>();
            for (String name : seen) {
                Family family = new Family(name, types.getOrDefault(name, Type.UNTYPED), helps.get(name),
                        List.copyOf(samples.getOrDefault(name, List.of())));
                check(family);
                families.put(name, family);
            }
            return new PrometheusText(families);
        }

        private void comment(String trimmed) {
            String[] tokens = trimmed.substring(1).strip().split("[ \t]+", 3);
            boolean blankAfterHash = trimmed.length() > 1 && (trimmed.charAt(1) == ' ' || trimmed.charAt(1) == '\t');
            if (!blankAfterHash || (!tokens[0].equals("HELP") && !tokens[0].equals("TYPE"))) {
                return; // a plain comment, "#HELP" included, as Prometheus reads it
            }
            if (tokens.length < 2 || !METRIC_NAME.matcher(tokens[1]).matches()) {
                throw fail("# " + tokens[0] + " needs a metric name");
            }
            String name = tokens[1];
            enter(name, "# " + tokens[0]);
            if (samples.containsKey(name)) {
                throw fail("# " + tokens[0] + " after the samples of " + name);
            }
            if (tokens[0].equals("HELP")) {
                if (helps.containsKey(name)) {
                    throw fail("a second # HELP for " + name);
                }
                helps.put(name, unescapeHelp(tokens.length > 2 ? tokens[2] : ""));
            } else {
                if (types.containsKey(name)) {
                    throw fail("a second # TYPE for " + name);
                }
                if (tokens.length < 3) {
                    throw fail("# TYPE needs a type after the name");
                }
                Type type = switch (tokens[2].strip()) {
                    case "counter" -> Type.COUNTER;
                    case "gauge" -> Type.GAUGE;
                    case "histogram" -> Type.HISTOGRAM;
                    case "summary" -> Type.SUMMARY;
                    case "untyped" -> Type.UNTYPED;
                    default -> throw fail("unknown type '" + tokens[2].strip() + "'");
                };
                types.put(name, type);
            }
        }

        private void sample(Cursor cursor) {
            String name = cursor.take(METRIC_NAME, "a metric name");
            Map<String, String> labels = new LinkedHashMap<>();
            boolean blank = cursor.blanks(false);
            if (cursor.skip('{')) {
                labels(cursor, labels);
                cursor.blanks(false);
            } else if (!blank) {
                throw fail("expected a blank or '{' after the name, at column " + (cursor.at + 1));
            }
            String token = cursor.token();
            double value;
            try {
                value = parseValue(token, "sample's value");
            } catch (IllegalArgumentException e) {
                throw fail(e.getMessage());
            }
            if (cursor.blanks(false) && !cursor.done()) {
                String timestamp = cursor.token();
                if (!TIMESTAMP.matcher(timestamp).matches()) {
                    throw fail("'" + timestamp + "' is not an integer timestamp");
                }
                cursor.blanks(false);
            }
            if (!cursor.done()) {
                throw fail("unexpected '" + cursor.rest() + "' after the sample");
            }
            String family = familyOf(name);
            enter(family, "sample " + name);
            if (!series.add(Map.entry(name, new TreeMap<>(labels)))) {
                throw fail("a second sample " + name + labels);
            }
            samples.computeIfAbsent(family, f -> new ArrayList<>()).add(new Sample(name, Collections.unmodifiableMap(labels), value));
        }

        private void labels(Cursor cursor, Map<String, String> labels) {
            while (true) {
                cursor.blanks(false);
                if (cursor.skip('}')) {
                    return; // after '{' or a trailing ','
                }
                String label = cursor.take(LABEL_NAME, "a label name");
                if (label.startsWith("__")) {
                    throw fail("label name " + label + " is reserved (it starts with __)");
                }
                cursor.blanks(false);
                cursor.expect('=');
                cursor.blanks(false);
                String value = cursor.quoted();
                if (labels.put(label, value) != null) {
                    throw fail("label " + label + " twice");
                }
                cursor.blanks(false);
                if (cursor.skip('}')) {
                    return;
                }
                cursor.expect(',');
            }
        }

        /** The family a sample belongs to: its own name, or a histogram or summary it is a part of. */
        private String familyOf(String name) {
            if (types.containsKey(name)) {
                return name;
            }
            for (String suffix : List.of("_bucket", "_sum", "_count")) {
                if (name.endsWith(suffix)) {
                    Type type = types.get(name.substring(0, name.length() - suffix.length()));
                    if (type == Type.HISTOGRAM || (type == Type.SUMMARY && !suffix.equals("_bucket"))) {
                        return name.substring(0, name.length() - suffix.length());
                    }
                }
            }
            return name;
        }

        /** All lines of a family in one group: entering a family closes the one open before it. */
        private void enter(String family, String what) {
            if (family.equals(open)) {
                return;
            }
            seen.add(family);
            if (closed.contains(family)) {
                throw fail(what + " of " + family + " outside the group of its family's lines");
            }
            if (open != null) {
                closed.add(open);
            }
            open = family;
        }

        private void check(Family family) {
            switch (family.type()) {
                case COUNTER -> family.samples().forEach(s -> {
                    if (!(s.value() >= 0)) {
                        throw new IllegalArgumentException("counter " + family.name() + " is negative or NaN: " + s);
                    }
                });
                case GAUGE, UNTYPED -> {
                    // a sample is in a gauge's or an untyped family only under the family's own name
                }
                case HISTOGRAM -> histogram(family);
                case SUMMARY -> summary(family);
            }
        }

        private static void only(Family family, Sample sample, String... names) {
            if (!List.of(names).contains(sample.name())) {
                throw new IllegalArgumentException(family.type().name().toLowerCase() + " " + family.name() + " has a sample named "
                        + sample.name() + "; it may have only " + List.of(names));
            }
        }

        private static void histogram(Family family) {
            String base = family.name();
            Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
            Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
            Set<Map<String, String>> sums = new HashSet<>();
            for (Sample s : family.samples()) {
                only(family, s, base + "_bucket", base + "_sum", base + "_count");
                Map<String, String> rest = new LinkedHashMap<>(s.labels());
                String le = rest.remove("le");
                if (s.name().endsWith("_bucket")) {
                    if (le == null) {
                        throw new IllegalArgumentException("histogram bucket without le: " + s);
                    }
                    buckets.computeIfAbsent(rest, r -> new ArrayList<>()).add(s);
                } else if (le != null) {
                    throw new IllegalArgumentException("le on a histogram's " + s.name() + ": " + s);
                } else if (s.name().endsWith("_count")) {
                    counts.put(rest, s.value());
                } else {
                    sums.add(rest);
                }
            }
            Set<Map<String, String>> groups = new LinkedHashSet<>(buckets.keySet());
            groups.addAll(counts.keySet());
            groups.addAll(sums);
            for (Map<String, String> labels : groups) {
                String where = "histogram " + base + labels;
                List<Sample> ordered = buckets.getOrDefault(labels, List.of());
                double previousLe = Double.NEGATIVE_INFINITY;
                double previousCount = 0;
                for (Sample bucket : ordered) {
                    double le = parseValue(bucket.labels().get("le"), "le of " + where);
                    if (!(le > previousLe)) {
                        throw new IllegalArgumentException(where + ": bucket le=\"" + bucket.labels().get("le")
                                + "\" does not come after the one before it");
                    }
                    if (bucket.value() < previousCount || bucket.value() != Math.rint(bucket.value())) {
                        throw new IllegalArgumentException(where + ": bucket le=\"" + bucket.labels().get("le") + "\" counts " + bucket.value()
                                + ", not a whole number at least the " + previousCount + " of the bucket before it");
                    }
                    previousLe = le;
                    previousCount = bucket.value();
                }
                if (previousLe != Double.POSITIVE_INFINITY) {
                    throw new IllegalArgumentException(where + " has no bucket le=\"+Inf\"");
                }
                Double count = counts.get(labels);
                if (count == null || count != previousCount) {
                    throw new IllegalArgumentException(where + ": _count is " + count + ", the +Inf bucket " + previousCount);
                }
                if (!sums.contains(labels)) {
                    throw new IllegalArgumentException(where + " has no _sum");
                }
            }
        }

        private static void summary(Family family) {
            String base = family.name();
            Set<Map<String, String>> groups = new LinkedHashSet<>();
            Set<Map<String, String>> counts = new HashSet<>();
            Set<Map<String, String>> sums = new HashSet<>();
            for (Sample s : family.samples()) {
                only(family, s, base, base + "_sum", base + "_count");
                Map<String, String> rest = new LinkedHashMap<>(s.labels());
                String quantile = rest.remove("quantile");
                if (s.name().equals(base)) {
                    double q = parseValue(quantile == null ? "" : quantile, "quantile of summary " + base + rest);
                    if (!(q >= 0 && q <= 1)) {
                        throw new IllegalArgumentException("summary " + base + rest + ": quantile " + quantile + " is not from 0 to 1");
                    }
                } else if (quantile != null) {
                    throw new IllegalArgumentException("quantile on a summary's " + s.name() + ": " + s);
                } else if (s.name().endsWith("_count")) {
                    if (!(s.value() >= 0)) {
                        throw new IllegalArgumentException("summary " + base + rest + ": _count is " + s.value());
                    }
                    counts.add(rest);
                } else {
                    sums.add(rest);
                }
                groups.add(rest);
            }
            for (Map<String, String> labels : groups) {
                if (!counts.contains(labels) || !sums.contains(labels)) {
                    throw new IllegalArgumentException("summary " + base + labels + " lacks its _count or its _sum");
                }
            }
        }

        private static double parseValue(String token, String what) {
            switch (token) {
                case "NaN":
                    return Double.NaN;
                case "+Inf":
                    return Double.POSITIVE_INFINITY;
                case "-Inf":
                    return Double.NEGATIVE_INFINITY;
                default:
                    if (!NUMBER.matcher(token).matches()) {
                        throw new IllegalArgumentException("'" + token + "' is not a number, as the " + what);
                    }
                    return Double.parseDouble(token);
            }
        }

        private String unescapeHelp(String docstring) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < docstring.length(); i++) {
                char c = docstring.charAt(i);
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char next = i + 1 < docstring.length() ? docstring.charAt(++i) : ' ';
                switch (next) {
                    case '\\' -> out.append('\\');
                    case 'n' -> out.append('\n');
                    default -> throw fail("\\" + next + " is no escape in a # HELP docstring (only \\\\ and \\n)");
                }
            }
            return out.toString();
        }

        private IllegalArgumentException fail(String reason) {
            return new IllegalArgumentException("line " + number + ": " + reason + ": " + line);
        }

        /** Reads one sample line left to right. */
        private final class Cursor {
            private final String text;
            private int at;

            Cursor(String text) {
                this.text = text;
            }

            String take(Pattern pattern, String what) {
                var matcher = pattern.matcher(text).region(at, text.length());
                if (!matcher.lookingAt()) {
                    throw fail("expected " + what + " at column " + (at + 1));
                }
                at = matcher.end();
                return matcher.group();
            }

            boolean skip(char c) {
                if (at < text.length() && text.charAt(at) == c) {
                    at++;
                    return true;
                }
                return false;
            }

            void expect(char c) {
                if (!skip(c)) {
                    throw fail("expected '" + c + "' at column " + (at + 1));
                }
            }

            /** Skips spaces and tabs; says whether there were any, and refuses none when required. */
            boolean blanks(boolean required) {
                int start = at;
                while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
                    at++;
                }
                if (required && at == start) {
                    throw fail("expected a blank at column " + (at + 1));
                }
                return at > start;
            }

            String token() {
                int start = at;
                while (at < text.length() && text.charAt(at) != ' ' && text.charAt(at) != '\t') {
                    at++;
                }
                if (at == start) {
                    throw fail("expected a value at column " + (at + 1));
                }
                return text.substring(start, at);
            }

            String quoted() {
                expect('"');
                StringBuilder value = new StringBuilder();
                while (at < text.length()) {
                    char c = text.charAt(at++);
                    if (c == '"') {
                        return value.toString();
                    }
                    if (c == '\\') {
                        char next = at < text.length() ? text.charAt(at++) : ' ';
                        switch (next) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> throw fail("\\" + next + " is no escape in a label value (only \\\\, \\\" and \\n)");
                        }
                    } else {
                        value.append(c);
                    }
                }
                throw fail("a label value without its closing quote");
            }

            boolean done() {
                return at == text.length();
            }

            String rest() {
                return text.substring(at);
            }
        }
    }
}
